"""Serializer fields of the project, built on DRF's."""

from rest_framework import serializers


class PublisherNameField(serializers.RelatedField):
    """Shows an author by its publisher's name: reads the publisher of each author."""

    def to_representation(self, value):
        return value.publisher.name


class KeyOnlyField(serializers.PrimaryKeyRelatedField):
    """DRF's primary key field under the project's name: still the key column only."""


class ReviewersField(serializers.Field):
    """The names of a book's reviewers: reads each review's reviewer."""

    def to_representation(self, value):
        return [r.reviewer.name for r in value.reviews.all() if r.reviewer_id]

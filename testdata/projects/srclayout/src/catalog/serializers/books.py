from rest_framework import serializers

from catalog.models import Book

from .base import *  # noqa: F403


class BookSerializer(serializers.ModelSerializer):
    tag_names = serializers.SerializerMethodField()

    class Meta:
        model = Book
        fields = ["id", "title", "tag_names"]

    def get_tag_names(self, obj):
        # Served by the view's prefetch_related("tags").
        return [t.name for t in obj.tags.all()]


def _helper():
    # A function-local import is no attribute of this module: star imports do not export it.
    from catalog.models import Tagging

    return Tagging

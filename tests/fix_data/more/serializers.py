from rest_framework import serializers

from .models import Author, Book, Tag


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["name"]


class BookSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.name")
    publisher = serializers.CharField(source="author.publisher.name")
    tags = TagSerializer(many=True)

    class Meta:
        model = Book
        fields = ["title", "author_name", "publisher", "tags"]


class BookAuthorSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.name")

    class Meta:
        model = Book
        fields = ["title", "author_name"]

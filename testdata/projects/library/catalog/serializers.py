from rest_framework import serializers

from catalog.models import Book


class BookSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.name")
    tag_names = serializers.SlugRelatedField(source="tags", many=True, read_only=True, slug_field="name")

    class Meta:
        model = Book
        fields = ["id", "title", "author_name", "tag_names"]

from rest_framework import serializers

from catalog.models import Book


class BookAuthorSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.name")

    class Meta:
        model = Book
        fields = ["id", "author_name"]

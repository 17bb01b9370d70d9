from rest_framework import serializers

from books.models import Book
from books.serializers import TagSerializer


class BookAuthorMethodSerializer(serializers.ModelSerializer):
    # Reads the author in a method field: the editor is never read.
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = Book
        fields = ["id", "title", "author_name"]

    def get_author_name(self, obj):
        return obj.author.name


class BookEditorReprSerializer(serializers.ModelSerializer):
    # `to_representation` reads what no declared field names.
    class Meta:
        model = Book
        fields = ["id", "title"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["editor"] = instance.editor.name if instance.editor else None
        return data


class BookLabelPropertySerializer(serializers.ModelSerializer):
    # A property of the model that reads the author and its publisher.
    label = serializers.ReadOnlyField(source="author_label")

    class Meta:
        model = Book
        fields = ["id", "label"]


class BookTagListSerializer(serializers.ModelSerializer):
    # A nested serializer over the list a `Prefetch(..., to_attr="tag_list")` stores.
    tag_list = TagSerializer(many=True)

    class Meta:
        model = Book
        fields = ["id", "title", "tag_list"]

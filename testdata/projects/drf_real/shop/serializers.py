from rest_flex_fields import FlexFieldsModelSerializer
from rest_framework import serializers

from shop.fields import KeyOnlyField, PublisherNameField, ReviewersField
from shop.models import Author, Book, Review, Tag


# --- plain Serializer classes: they serialize their declared fields -------------------------


class BookStatsSerializer(serializers.Serializer):
    title = serializers.CharField()
    review_count = serializers.SerializerMethodField()

    def get_review_count(self, obj):
        return Review.objects.filter(book=obj).count()  # expect: DJP112


class BookAuthorPlainSerializer(serializers.Serializer):
    title = serializers.CharField()
    author = serializers.SerializerMethodField()

    def get_author(self, obj):
        return obj.author.name


class ReviewTotalSerializer(serializers.Serializer):
    # Built with many=True by a function below, used by no view.
    total = serializers.SerializerMethodField()

    def get_total(self, obj):
        return Review.objects.filter(book__author=obj).count()  # expect: DJP112


class StatusSerializer(serializers.Serializer):
    # Serializes one object per request (never many=True, no list view): not per row.
    books = serializers.SerializerMethodField()

    def get_books(self, obj):
        return Book.objects.count()


# --- a model serializer base from another library -----------------------------------------


class AuthorFlexSerializer(FlexFieldsModelSerializer):
    class Meta:
        model = Author
        fields = ["id", "name"]


class BookFlexSerializer(FlexFieldsModelSerializer):
    author = AuthorFlexSerializer()

    class Meta:
        model = Book
        fields = ["id", "title", "author"]


# --- Meta.fields computed from a base's ---------------------------------------------------


class BookBaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Book
        fields = ("id", "title")


class BookWithAuthorSerializer(BookBaseSerializer):
    author_name = serializers.CharField(source="author.name")

    class Meta(BookBaseSerializer.Meta):
        fields = BookBaseSerializer.Meta.fields + ("author_name",)


class BookWithTagsSerializer(BookBaseSerializer):
    class Meta(BookBaseSerializer.Meta):
        fields = [*BookBaseSerializer.Meta.fields, "tags"]


# --- related fields of every kind ---------------------------------------------------------


class BookPublisherSlugSerializer(serializers.ModelSerializer):
    # `slug_field` with `__` reads the path on each author.
    author = serializers.SlugRelatedField(slug_field="publisher__name", read_only=True)

    class Meta:
        model = Book
        fields = ["id", "author"]


class BookTagPksSerializer(serializers.ModelSerializer):
    tag_ids = serializers.PrimaryKeyRelatedField(source="tags", many=True, read_only=True)

    class Meta:
        model = Book
        fields = ["id", "tag_ids"]


class BookTagLinksSerializer(serializers.ModelSerializer):
    tags = serializers.HyperlinkedRelatedField(view_name="tag-detail", many=True, read_only=True)

    class Meta:
        model = Book
        fields = ["id", "tags"]


class BookTagIdentitySerializer(serializers.ModelSerializer):
    # many=True wraps the identity field in a ManyRelatedField over `tags`: one query per book
    tags = serializers.HyperlinkedIdentityField(view_name="tag-detail", many=True)
    # without many: a link to the book itself, its key only
    url = serializers.HyperlinkedIdentityField(view_name="book-detail")

    class Meta:
        model = Book
        fields = ["id", "tags", "url"]


class BookAuthorLinkSerializer(serializers.ModelSerializer):
    # lookup_field="pk" (the default): the key column only.
    author = serializers.HyperlinkedRelatedField(view_name="author-detail", read_only=True)

    class Meta:
        model = Book
        fields = ["id", "author"]


class PublisherSerializer(serializers.Serializer):
    name = serializers.CharField()


class BookPublisherNestedSerializer(serializers.ModelSerializer):
    publisher = PublisherSerializer(source="author.publisher")

    class Meta:
        model = Book
        fields = ["id", "publisher"]


class AuthorInfoSerializer(serializers.Serializer):
    author_name = serializers.CharField(source="author.name")


class BookInfoSerializer(serializers.ModelSerializer):
    # `source="*"`: the nested serializer reads the book itself.
    info = AuthorInfoSerializer(source="*")

    class Meta:
        model = Book
        fields = ["id", "info"]


class BookPublisherFieldSerializer(serializers.ModelSerializer):
    author = PublisherNameField(read_only=True)

    class Meta:
        model = Book
        fields = ["id", "author"]


class AuthorKeySerializer(serializers.ModelSerializer):
    publisher = KeyOnlyField(read_only=True)

    class Meta:
        model = Author
        fields = ["id", "publisher"]


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name"]


# --- what is never serialized, and values the rows may carry ------------------------------


class BookSecretSerializer(serializers.ModelSerializer):
    # write-only fields are read from the request, never from the rows
    author_name = serializers.CharField(source="author.name", write_only=True)

    class Meta:
        model = Book
        fields = ["id", "title", "author_name", "tags"]
        extra_kwargs = {"tags": {"write_only": True}}


class BookReviewTotalSerializer(serializers.ModelSerializer):
    # a property (with a setter) that queries
    review_total = serializers.IntegerField(read_only=True)  # expect: DJP112

    class Meta:
        model = Book
        fields = ["id", "review_total"]


class BookRatingSerializer(serializers.ModelSerializer):
    # `rating_total` reads `rating_sum` when the rows are annotated with it
    rating_total = serializers.IntegerField(read_only=True)  # expect: DJP112

    class Meta:
        model = Book
        fields = ["id", "rating_total"]


class BookReviewersSerializer(serializers.ModelSerializer):
    reviewers = ReviewersField(source="*")

    class Meta:
        model = Book
        fields = ["id", "reviewers"]


class ReviewRatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = ["id", "rating"]


class BookFirstReviewSerializer(serializers.ModelSerializer):
    # a property taking the first row of a relation, serialized by a nested serializer
    first_review = ReviewRatingSerializer(read_only=True)

    class Meta:
        model = Book
        fields = ["id", "first_review"]


class BookTopReviewSerializer(serializers.ModelSerializer):
    # the first row of a filtered relation: a query per book that no prefetch serves
    top_review = ReviewRatingSerializer(read_only=True)  # expect: DJP112

    class Meta:
        model = Book
        fields = ["id", "top_review"]

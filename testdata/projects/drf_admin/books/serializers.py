from rest_framework import serializers

from books.models import Article, Author, Book, Publisher, Tag
from books.utils import describe_author, review_total, review_total_or


class PublisherSerializer(serializers.ModelSerializer):
    class Meta:
        model = Publisher
        fields = ["id", "name"]


class AuthorSerializer(serializers.ModelSerializer):
    publisher = PublisherSerializer()

    class Meta:
        model = Author
        fields = ["id", "name", "publisher"]


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name"]


class BookNestedSerializer(serializers.ModelSerializer):
    author = AuthorSerializer()
    tags = TagSerializer(many=True)

    class Meta:
        model = Book
        fields = ["id", "title", "author", "tags"]


class BookSourceSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.name")

    class Meta:
        model = Book
        fields = ["id", "title", "author_name"]


class BookPkSerializer(serializers.ModelSerializer):
    # ForeignKeys become PrimaryKeyRelatedFields: they read author_id, no query.
    class Meta:
        model = Book
        fields = ["id", "title", "author", "editor"]


class BookTagPkSerializer(serializers.ModelSerializer):
    # A many-to-many becomes a list of pks: still one .all() per book.
    class Meta:
        model = Book
        fields = ["id", "tags"]


class BookSlugSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = Book
        fields = ["id", "author"]


class BookDepthSerializer(serializers.ModelSerializer):
    class Meta:
        model = Book
        fields = ["id", "author"]
        depth = 1


class AuthorStatsSerializer(serializers.ModelSerializer):
    book_count = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "book_count"]

    def get_book_count(self, obj):
        return obj.book_set.count()  # expect: DJP112


class AuthorRecentSerializer(serializers.ModelSerializer):
    recent = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "recent"]

    def get_recent(self, obj):
        return obj.book_set.filter(title__contains="1").count()  # expect: DJP112


class AuthorHelperStatsSerializer(serializers.ModelSerializer):
    book_count = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "book_count"]

    def get_book_count(self, obj):
        return self._count_books(obj)  # expect: DJP112

    def _count_books(self, author):
        return author.book_set.count()


class BookTagTotalSerializer(serializers.ModelSerializer):
    tag_total = serializers.SerializerMethodField(method_name="count_tags")

    class Meta:
        model = Book
        fields = ["id", "tag_total"]

    def count_tags(self, obj):
        return obj.tags.count()  # expect: DJP112


class ArticleTitleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Article
        fields = ["id", "title"]


class ArticleFullSerializer(serializers.ModelSerializer):
    class Meta:
        model = Article
        fields = "__all__"


class BookLabelSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="author_label")

    class Meta:
        model = Book
        fields = ["id", "label"]


class BookDescribedSerializer(serializers.ModelSerializer):
    described = serializers.SerializerMethodField()

    class Meta:
        model = Book
        fields = ["id", "described"]

    def get_described(self, obj):
        # The imported helper reads obj.author.
        return describe_author(obj)


class BookReviewTotalSerializer(serializers.ModelSerializer):
    reviews = serializers.SerializerMethodField()

    class Meta:
        model = Book
        fields = ["id", "reviews"]

    def get_reviews(self, obj):
        return review_total(obj)  # expect: DJP112


class BookReviewGivenSerializer(serializers.ModelSerializer):
    reviews = serializers.SerializerMethodField()

    class Meta:
        model = Book
        fields = ["id", "reviews"]

    def get_reviews(self, obj):
        # The helper queries only when no total is given.
        return review_total_or(obj, total=0)

from rest_framework import serializers

from shop.models import Author, Book, Review


# --- a method field that serializes a queryset it builds itself --------------------------
# The nested serializer's reads belong to that fresh queryset, not to the view's rows: the
# load goes on the queryset built in the method (a join on the view's model would be a
# FieldError).


class ReviewBookSerializer(serializers.ModelSerializer):
    book_title = serializers.CharField(source="book.title")

    class Meta:
        model = Review
        fields = ["id", "rating", "book_title"]


class ReviewerSlugSerializer(serializers.ModelSerializer):
    reviewer = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = Review
        fields = ["id", "reviewer"]


class AuthorReviewsSerializer(serializers.ModelSerializer):
    reviews = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "name", "reviews"]

    def get_reviews(self, obj):
        return ReviewBookSerializer(  # expect: DJP101, DJP112
            Review.objects.filter(book__author=obj),
            many=True,
        ).data


class AuthorReviewsJoinedSerializer(serializers.ModelSerializer):
    reviews = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "name", "reviews"]

    def get_reviews(self, obj):
        reviews = Review.objects.filter(book__author=obj).select_related("book")
        return ReviewBookSerializer(reviews, many=True).data  # expect: DJP112


class BookGoodReviewsSerializer(serializers.ModelSerializer):
    # A narrowed related manager re-queries: a prefetch of `reviews__reviewer` on the view
    # would not serve it; the join goes on the filtered queryset. The method's `obj` has no
    # known model outside the walk, so the per-review read is not reported (a miss, never a
    # wrong load on the view).
    good_reviews = serializers.SerializerMethodField()

    class Meta:
        model = Book
        fields = ["id", "good_reviews"]

    def get_good_reviews(self, obj):
        return ReviewerSlugSerializer(  # expect: DJP112
            obj.reviews.filter(rating__gte=0),
            many=True,
        ).data


class BookTagNamesSerializer(serializers.ModelSerializer):
    tags = serializers.StringRelatedField(many=True)

    class Meta:
        model = Book
        fields = ["id", "tags"]


class AuthorBooksSerializer(serializers.ModelSerializer):
    books = BookTagNamesSerializer(source="book_set", many=True)

    class Meta:
        model = Author
        fields = ["id", "books"]

from django.db.models import Sum
from rest_framework import generics, viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response

from shop.models import Author, Book, Tag
from shop.serializers import (
    AuthorKeySerializer,
    BookAuthorLinkSerializer,
    BookAuthorPlainSerializer,
    BookFirstReviewSerializer,
    BookFlexSerializer,
    BookInfoSerializer,
    BookPublisherFieldSerializer,
    BookPublisherNestedSerializer,
    BookPublisherSlugSerializer,
    BookRatingSerializer,
    BookReviewersSerializer,
    BookReviewTotalSerializer,
    BookSecretSerializer,
    BookStatsSerializer,
    BookTagIdentitySerializer,
    BookTagLinksSerializer,
    BookTagPksSerializer,
    BookTopReviewSerializer,
    BookWithAuthorSerializer,
    BookWithTagsSerializer,
    ReviewTotalSerializer,
    StatusSerializer,
    TagSerializer,
)


# oracle: get /api/book-stats/ also=shop/serializers.py:BookStatsSerializer
class BookStatsList(generics.ListAPIView):
    queryset = Book.objects.all()
    serializer_class = BookStatsSerializer


# oracle: get /api/book-authors-plain/
class BookAuthorPlainList(generics.ListAPIView):
    queryset = Book.objects.all()  # expect: DJP110
    serializer_class = BookAuthorPlainSerializer


# oracle: get /api/book-authors-plain-ok/
class BookAuthorPlainListOk(generics.ListAPIView):
    queryset = Book.objects.select_related("author")
    serializer_class = BookAuthorPlainSerializer


# oracle: get /api/book-flex/
class BookFlexList(generics.ListAPIView):
    queryset = Book.objects.all()  # expect: DJP110
    serializer_class = BookFlexSerializer


# oracle: get /api/book-flex-ok/
class BookFlexListOk(generics.ListAPIView):
    queryset = Book.objects.select_related("author")
    serializer_class = BookFlexSerializer


# oracle: get /api/book-with-author/
class BookWithAuthorList(generics.ListAPIView):
    queryset = Book.objects.all()  # expect: DJP110
    serializer_class = BookWithAuthorSerializer


# oracle: get /api/book-with-author-ok/
class BookWithAuthorListOk(generics.ListAPIView):
    queryset = Book.objects.select_related("author")
    serializer_class = BookWithAuthorSerializer


# oracle: get /api/book-with-tags/
class BookWithTagsList(generics.ListAPIView):
    queryset = Book.objects.all()  # expect: DJP111
    serializer_class = BookWithTagsSerializer


# oracle: get /api/book-with-tags-ok/
class BookWithTagsListOk(generics.ListAPIView):
    queryset = Book.objects.prefetch_related("tags")
    serializer_class = BookWithTagsSerializer


# oracle: get /api/book-publisher-slug/
class BookPublisherSlugList(generics.ListAPIView):
    queryset = Book.objects.select_related("author")  # expect: DJP110
    serializer_class = BookPublisherSlugSerializer


# oracle: get /api/book-publisher-slug-ok/
class BookPublisherSlugListOk(generics.ListAPIView):
    queryset = Book.objects.select_related("author__publisher")
    serializer_class = BookPublisherSlugSerializer


# oracle: get /api/book-tag-pks/
class BookTagPksList(generics.ListAPIView):
    queryset = Book.objects.all()  # expect: DJP111
    serializer_class = BookTagPksSerializer


# oracle: get /api/book-tag-links/
class BookTagLinksList(generics.ListAPIView):
    queryset = Book.objects.all()  # expect: DJP111
    serializer_class = BookTagLinksSerializer


# oracle: get /api/book-tag-links-ok/
class BookTagLinksListOk(generics.ListAPIView):
    queryset = Book.objects.prefetch_related("tags")
    serializer_class = BookTagLinksSerializer


# oracle: get /api/book-tag-identity/ also=shop/serializers.py:BookTagIdentitySerializer
class BookTagIdentityList(generics.ListAPIView):
    queryset = Book.objects.all()  # expect: DJP111
    serializer_class = BookTagIdentitySerializer


# oracle: get /api/book-tag-identity-ok/
class BookTagIdentityListOk(generics.ListAPIView):
    queryset = Book.objects.prefetch_related("tags")
    serializer_class = BookTagIdentitySerializer


class BookDetail(generics.RetrieveAPIView):
    queryset = Book.objects.all()
    serializer_class = BookTagIdentitySerializer


# oracle: get /api/book-author-links/
class BookAuthorLinkList(generics.ListAPIView):
    queryset = Book.objects.all()
    serializer_class = BookAuthorLinkSerializer


# oracle: get /api/book-publisher-nested/
class BookPublisherNestedList(generics.ListAPIView):
    queryset = Book.objects.select_related("author")  # expect: DJP110
    serializer_class = BookPublisherNestedSerializer


# oracle: get /api/book-publisher-nested-ok/
class BookPublisherNestedListOk(generics.ListAPIView):
    queryset = Book.objects.select_related("author__publisher")
    serializer_class = BookPublisherNestedSerializer


# oracle: get /api/book-info/
class BookInfoList(generics.ListAPIView):
    queryset = Book.objects.all()  # expect: DJP110
    serializer_class = BookInfoSerializer


# oracle: get /api/book-info-ok/
class BookInfoListOk(generics.ListAPIView):
    queryset = Book.objects.select_related("author")
    serializer_class = BookInfoSerializer


# oracle: get /api/book-publisher-field/
class BookPublisherFieldList(generics.ListAPIView):
    queryset = Book.objects.all()  # expect: DJP110
    serializer_class = BookPublisherFieldSerializer


# oracle: get /api/book-publisher-field-ok/
class BookPublisherFieldListOk(generics.ListAPIView):
    queryset = Book.objects.select_related("author__publisher")
    serializer_class = BookPublisherFieldSerializer


# oracle: get /api/author-keys/
class AuthorKeyList(generics.ListAPIView):
    queryset = Author.objects.all()
    serializer_class = AuthorKeySerializer


# oracle: get /api/book-secret/
class BookSecretList(generics.ListCreateAPIView):
    queryset = Book.objects.all()
    serializer_class = BookSecretSerializer


# oracle: get /api/book-review-total/ also=shop/serializers.py:BookReviewTotalSerializer
class BookReviewTotalList(generics.ListAPIView):
    queryset = Book.objects.all()
    serializer_class = BookReviewTotalSerializer


# oracle: get /api/book-rating/ also=shop/serializers.py:BookRatingSerializer
class BookRatingList(generics.ListAPIView):
    queryset = Book.objects.all()
    serializer_class = BookRatingSerializer


# oracle: get /api/book-rating-ok/
class BookRatingListOk(generics.ListAPIView):
    queryset = Book.objects.annotate(rating_sum=Sum("reviews__rating"))
    serializer_class = BookRatingSerializer


# oracle: get /api/book-reviewers/
class BookReviewersList(generics.ListAPIView):
    queryset = Book.objects.all()  # expect: DJP111
    serializer_class = BookReviewersSerializer


# What the queryset loads is computed: djperf cannot name it, so it claims no missing relation.
# oracle: get /api/book-reviewers-ok/
class BookReviewersListOk(generics.ListAPIView):
    serializer_class = BookReviewersSerializer

    def prefetches(self):
        return [name for name in ("reviews", "reviews__reviewer") if name]

    def get_queryset(self):
        return Book.objects.prefetch_related(*self.prefetches())


# `filter_queryset()` builds the rows itself: `queryset` is not what is serialized.
# oracle: get /api/book-own-rows/
class BookOwnRowsList(generics.ListAPIView):
    queryset = Book.objects.all()
    serializer_class = BookWithAuthorSerializer

    def filter_queryset(self, queryset):
        return Book.objects.select_related("author").order_by("title")


# A viewset loads what its list action needs under `if self.action == "list"`.
# oracle: get /api/book-actions/
class BookActionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BookWithAuthorSerializer

    def get_queryset(self):
        qs = Book.objects.order_by("title")
        if self.action == "list":
            qs = qs.select_related("author")
        return qs


# oracle: get /api/book-actions-detail-only/
class BookDetailActionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BookWithAuthorSerializer

    def get_queryset(self):
        qs = Book.objects.order_by("title")  # expect: DJP110
        if getattr(self, "action", None) in ("retrieve", "update"):
            qs = qs.select_related("author")
        return qs


class TagDetail(generics.RetrieveAPIView):
    queryset = Tag.objects.all()
    serializer_class = TagSerializer


class AuthorDetail(generics.RetrieveAPIView):
    queryset = Author.objects.all()
    serializer_class = AuthorKeySerializer


# Serializers built over rows in a function view: the rows are handed over at the call.
# oracle: get /api/books-fn/
@api_view(["GET"])
def books_fn(request):
    books = Book.objects.all()
    return Response(BookWithAuthorSerializer(books, many=True).data)  # expect: DJP101


# oracle: get /api/books-fn-ok/
@api_view(["GET"])
def books_fn_ok(request):
    books = Book.objects.select_related("author")
    return Response(BookWithAuthorSerializer(books, many=True).data)


# oracle: get /api/books-fn-tags/
@api_view(["GET"])
def books_fn_tags(request):
    serializer = BookWithTagsSerializer(Book.objects.order_by("title"), many=True)  # expect: DJP102
    return Response(serializer.data)


# oracle: get /api/books-fn-tags-ok/
@api_view(["GET"])
def books_fn_tags_ok(request):
    serializer = BookWithTagsSerializer(Book.objects.prefetch_related("tags"), many=True)
    return Response(serializer.data)


# oracle: get /api/review-totals/ also=shop/serializers.py:ReviewTotalSerializer
@api_view(["GET"])
def review_totals(request):
    return Response(ReviewTotalSerializer(Author.objects.all(), many=True).data)


# One object: its fields run once.
# oracle: get /api/status/ also=shop/serializers.py:StatusSerializer
@api_view(["GET"])
def status(request):
    return Response(StatusSerializer(Book.objects.first()).data)


# oracle: get /api/book-first-review/
class BookFirstReviewList(generics.ListAPIView):
    queryset = Book.objects.all()  # expect: DJP111
    serializer_class = BookFirstReviewSerializer


# oracle: get /api/book-first-review-ok/
class BookFirstReviewListOk(generics.ListAPIView):
    queryset = Book.objects.prefetch_related("reviews")
    serializer_class = BookFirstReviewSerializer


# oracle: get /api/book-top-review/ also=shop/serializers.py:BookTopReviewSerializer
class BookTopReviewList(generics.ListAPIView):
    queryset = Book.objects.all()
    serializer_class = BookTopReviewSerializer

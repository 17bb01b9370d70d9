from django.conf import settings
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from books.models import Article, Author, Book
from books.serializers import (
    ArticleFullSerializer,
    ArticleTitleSerializer,
    AuthorHelperStatsSerializer,
    BookLabelSerializer,
    BookTagTotalSerializer,
    AuthorRecentSerializer,
    AuthorStatsSerializer,
    BookDepthSerializer,
    BookDescribedSerializer,
    BookReviewGivenSerializer,
    BookReviewTotalSerializer,
    BookNestedSerializer,
    BookPkSerializer,
    BookSlugSerializer,
    BookSourceSerializer,
    BookTagPkSerializer,
)


# oracle: get /api/nested/
class BookNestedList(generics.ListAPIView):
    queryset = Book.objects.all()  # expect: DJP110, DJP111
    serializer_class = BookNestedSerializer


# oracle: get /api/nested-ok/
class BookNestedListOk(generics.ListAPIView):
    queryset = Book.objects.select_related("author__publisher").prefetch_related("tags")
    serializer_class = BookNestedSerializer


# oracle: get /api/source/
class BookSourceList(generics.ListAPIView):
    queryset = Book.objects.all()

    def get_queryset(self):
        return super().get_queryset().filter(title__isnull=False)  # expect: DJP110

    def get_serializer_class(self):
        return BookSourceSerializer


# oracle: get /api/source-ok/
class BookSourceListOk(generics.ListAPIView):
    queryset = Book.objects.all()
    serializer_class = BookSourceSerializer

    def get_queryset(self):
        return super().get_queryset().select_related("author")


# oracle: get /api/pk/
class BookPkList(generics.ListAPIView):
    queryset = Book.objects.all()
    serializer_class = BookPkSerializer


# oracle: get /api/tag-pks/
class BookTagPkList(generics.ListAPIView):
    queryset = Book.objects.all()  # expect: DJP111
    serializer_class = BookTagPkSerializer


class BaseBookView(generics.ListAPIView):
    queryset = Book.objects.all()  # expect: DJP110


# oracle: get /api/slug/ also=books/views.py:BaseBookView
class BookSlugList(BaseBookView):
    serializer_class = BookSlugSerializer


# oracle: get /api/depth/
class BookDepthList(generics.ListAPIView):
    queryset = Book.objects.order_by("title")  # expect: DJP110
    serializer_class = BookDepthSerializer


# oracle: get /api/depth-ok/
class BookDepthListOk(generics.ListAPIView):
    queryset = Book.objects.select_related("author")

    def get_serializer_class(self):
        if settings.DEBUG:
            return BookPkSerializer
        return BookDepthSerializer


# oracle: get /api/author-stats/ also=books/serializers.py:AuthorStatsSerializer
class AuthorStatsList(generics.ListAPIView):
    queryset = Author.objects.all()
    serializer_class = AuthorStatsSerializer


# oracle: get /api/author-stats-ok/
class AuthorStatsListOk(generics.ListAPIView):
    # The prefetch cache answers obj.book_set.count().
    queryset = Author.objects.prefetch_related("book_set")
    serializer_class = AuthorStatsSerializer


# oracle: get /api/author-recent/ also=books/serializers.py:AuthorRecentSerializer
class AuthorRecentList(generics.ListAPIView):
    # A prefetch does not serve .filter(): still one query per author.
    queryset = Author.objects.prefetch_related("book_set")
    serializer_class = AuthorRecentSerializer


class JoinedAuthorMixin:
    def get_queryset(self):
        return super().get_queryset().select_related("author")


# oracle: get /api/source-mixin/
class BookSourceMixinList(JoinedAuthorMixin, generics.ListAPIView):
    # The subclass's queryset is what the mixin's get_queryset() starts from.
    queryset = Book.objects.all()
    serializer_class = BookSourceSerializer


# oracle: get /api/source-dynamic/
class BookSourceDynamicList(generics.ListAPIView):
    # Computed select_related arguments: djperf claims nothing about them.
    queryset = Book.objects.all()
    serializer_class = BookSourceSerializer
    joined = ["author"]

    def get_queryset(self):
        return super().get_queryset().select_related(*self.joined)


# One object per request: its serializer's reads do not repeat per row.
# oracle: get /api/books/1/
class BookDetail(generics.RetrieveAPIView):
    queryset = Book.objects.all()
    serializer_class = BookNestedSerializer


# oracle: get /api/authors/1/stats/
class AuthorStatsDetail(generics.RetrieveAPIView):
    queryset = Author.objects.all()
    serializer_class = AuthorStatsSerializer


# A method field whose helper queries per object.
# oracle: get /api/author-helper-stats/ also=books/serializers.py:AuthorHelperStatsSerializer
class AuthorHelperStatsList(generics.ListAPIView):
    queryset = Author.objects.all()
    serializer_class = AuthorHelperStatsSerializer


# oracle: get /api/book-tag-totals/ also=books/serializers.py:BookTagTotalSerializer
class BookTagTotalList(generics.ListAPIView):
    queryset = Book.objects.all()
    serializer_class = BookTagTotalSerializer


# oracle: get /api/article-titles/
class ArticleTitleList(generics.ListAPIView):
    queryset = Article.objects.all()  # expect: DJP201
    serializer_class = ArticleTitleSerializer


# oracle: get /api/article-titles-ok/
class ArticleTitleListOk(generics.ListAPIView):
    queryset = Article.objects.defer("body")
    serializer_class = ArticleTitleSerializer


# oracle: get /api/articles/
class ArticleFullList(generics.ListAPIView):
    queryset = Article.objects.all()
    serializer_class = ArticleFullSerializer


# A serializer field whose source is a model property that reads relations.
# oracle: get /api/book-labels/
class BookLabelList(generics.ListAPIView):
    queryset = Book.objects.all()  # expect: DJP110
    serializer_class = BookLabelSerializer


# oracle: get /api/book-labels-ok/
class BookLabelListOk(generics.ListAPIView):
    queryset = Book.objects.select_related("author__publisher")
    serializer_class = BookLabelSerializer


# A method field whose imported helper reads a relation.
# oracle: get /api/book-described/
class BookDescribedList(generics.ListAPIView):
    queryset = Book.objects.all()  # expect: DJP110
    serializer_class = BookDescribedSerializer


# oracle: get /api/book-described-ok/
class BookDescribedListOk(generics.ListAPIView):
    queryset = Book.objects.select_related("author")
    serializer_class = BookDescribedSerializer


# A method field whose imported helper runs a query per object.
# oracle: get /api/book-review-totals/ also=books/serializers.py:BookReviewTotalSerializer
class BookReviewTotalList(generics.ListAPIView):
    queryset = Book.objects.all()
    serializer_class = BookReviewTotalSerializer


# oracle: get /api/book-review-given/ also=books/serializers.py:BookReviewGivenSerializer
class BookReviewGivenList(generics.ListAPIView):
    queryset = Book.objects.all()
    serializer_class = BookReviewGivenSerializer


# Each branch of get_queryset() builds its own queryset: the fix goes on both.
# oracle: get /api/source-branches/
class BookSourceBranchList(generics.ListAPIView):
    serializer_class = BookSourceSerializer

    def get_queryset(self):
        if settings.DEBUG:
            books = Book.objects.filter(title__isnull=False)  # expect: DJP110
        else:
            books = Book.objects.order_by("title")
        return books


# DJP106 near miss: the loop reads titles only, the serializer of the same rows reads the
# author.
# oracle: get /api/book-titles-and-authors/
class BookTitlesAndAuthors(APIView):
    def get(self, request):
        books = Book.objects.select_related("author")  # load-read
        titles = [book.title for book in books]
        return Response({"titles": titles, "books": BookSourceSerializer(books, many=True).data})

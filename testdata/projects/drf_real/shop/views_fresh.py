from rest_framework import generics

from shop.models import Author, Book
from shop.serializers_fresh import (
    AuthorBooksSerializer,
    AuthorReviewsJoinedSerializer,
    AuthorReviewsSerializer,
    BookGoodReviewsSerializer,
)


# oracle: get /api/author-reviews/ also=shop/serializers_fresh.py:AuthorReviewsSerializer
class AuthorReviewsList(generics.ListAPIView):
    queryset = Author.objects.all()
    serializer_class = AuthorReviewsSerializer


# oracle: get /api/author-reviews-joined/ also=shop/serializers_fresh.py:AuthorReviewsJoinedSerializer
class AuthorReviewsJoinedList(generics.ListAPIView):
    queryset = Author.objects.all()
    serializer_class = AuthorReviewsJoinedSerializer


# oracle: get /api/book-good-reviews/ also=shop/serializers_fresh.py:BookGoodReviewsSerializer
class BookGoodReviewsList(generics.ListAPIView):
    queryset = Book.objects.all()
    serializer_class = BookGoodReviewsSerializer


# `get_object()` finds the author without the view's queryset: loading more there would
# change nothing, so nothing is said about it.
class AuthorByNameDetail(generics.RetrieveAPIView):
    queryset = Author.objects.all()
    serializer_class = AuthorBooksSerializer

    def get_object(self):
        return Author.objects.get(name=self.request.query_params["name"])

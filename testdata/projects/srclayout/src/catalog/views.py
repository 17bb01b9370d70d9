from rest_framework import generics

from . import models, serializers


# oracle: get /api/books/ also=src/catalog/serializers/books.py:BookSerializer
class BookList(generics.ListAPIView):
    queryset = models.Book.objects.prefetch_related("tags")
    serializer_class = serializers.BookSerializer


# oracle: get /api/books-authors/
class BookAuthorList(generics.ListAPIView):
    queryset = models.Book.objects.all()  # expect: DJP110
    serializer_class = serializers.BookAuthorSerializer


# oracle: get /api/books-authors-ok/
class BookAuthorListOk(generics.ListAPIView):
    queryset = models.Book.objects.select_related("author")
    serializer_class = serializers.BookAuthorSerializer

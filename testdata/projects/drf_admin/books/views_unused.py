from django.db.models import Prefetch
from rest_framework import generics, viewsets
from rest_framework.permissions import IsAuthenticated

from books.models import Author, Book
from books.serializers import BookNestedSerializer, BookPkSerializer, BookSourceSerializer
from books.serializers_unused import (
    BookAuthorMethodSerializer,
    BookEditorReprSerializer,
    BookLabelPropertySerializer,
    BookTagListSerializer,
)


# Foreign keys in Meta.fields are primary keys: the join is never read.
# oracle: get /api/unused/pk-joined/
class BookPkJoinedList(generics.ListAPIView):
    serializer_class = BookPkSerializer

    def get_queryset(self):
        return Book.objects.select_related("author").order_by("id")  # expect: DJP106


# The serializer reads author.name, not the tags.
# oracle: get /api/unused/source-tags/
class BookSourceTagsList(generics.ListAPIView):
    serializer_class = BookSourceSerializer

    def get_queryset(self):
        return Book.objects.select_related(
            "author",  # load-read
        ).prefetch_related(
            "tags",  # expect: DJP106
        )


# A method field reads the author; the editor is joined for nothing.
# oracle: get /api/unused/method-editor/
class BookMethodEditorList(generics.ListAPIView):
    serializer_class = BookAuthorMethodSerializer

    def get_queryset(self):
        return Book.objects.select_related(
            "author",  # load-read
            "editor",  # expect: DJP106
        )


# The nested serializer reads author and publisher: only the tags prefetch is unused.
# oracle: get /api/unused/nested-reviews/
class BookNestedReviewsList(generics.ListAPIView):
    serializer_class = BookNestedSerializer

    def get_queryset(self):
        return Book.objects.select_related(
            "author__publisher",  # load-read
        ).prefetch_related(
            "tags",  # load-read
            "reviews",  # expect: DJP106
        )


# A viewset with DRF's own permissions: list and retrieve read what the serializer reads.
# oracle: get /api/unused/viewset/
class BookPkViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BookPkSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return Book.objects.prefetch_related("tags")  # expect: DJP106


# Near misses: the rows reach code that reads the relation.

# `to_representation` reads the editor.
# oracle: get /api/unused/repr-editor/
class BookReprEditorList(generics.ListAPIView):
    serializer_class = BookEditorReprSerializer

    def get_queryset(self):
        return Book.objects.select_related("editor")  # load-read


# A property of the model reads author and publisher.
# oracle: get /api/unused/label-property/
class BookLabelPropertyList(generics.ListAPIView):
    serializer_class = BookLabelPropertySerializer

    def get_queryset(self):
        return Book.objects.select_related("author__publisher")  # load-read


# `list()` of its own: the rows may be read there.
# oracle: get /api/unused/own-list/
class BookOwnList(generics.ListAPIView):
    serializer_class = BookPkSerializer

    def get_queryset(self):
        return Book.objects.select_related("author")  # load-read

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response.data = [
            dict(row, author_name=book.author.name)
            for row, book in zip(response.data, self.get_queryset())
        ]
        return response


# A viewset without permission_classes: the project's default permissions may read the
# object on retrieve; nothing is claimed.
class AuthorViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Author.objects.select_related("publisher")
    serializer_class = BookPkSerializer


# Methods of its own that never reach the rows: the serializer is still their only reader.
# oracle: get /api/unused/with-context/
class BookContextList(generics.ListAPIView):
    serializer_class = BookAuthorMethodSerializer

    def get_queryset(self):
        return Book.objects.select_related(
            "author",  # load-read
        ).prefetch_related(
            "tags",  # expect: DJP106
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["title"] = self.request.GET.get("title", "")
        return context

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response["X-Count"] = str(len(response.data))
        return response


# A nested serializer reads the `to_attr` list of a Prefetch; the reviews are not read.
# oracle: get /api/unused/to-attr-tags/
class BookToAttrTagsList(generics.ListAPIView):
    serializer_class = BookTagListSerializer

    def get_queryset(self):
        return Book.objects.prefetch_related(
            Prefetch("tags", to_attr="tag_list"),  # load-read
            "reviews",  # expect: DJP106
        )

from django.contrib import admin

from books.models import (
    AuthoredReview,
    Author,
    Book,
    EditedBook,
    JoinedAuthoredReview,
    ListedReview,
    PrefetchedTaggedAuthor,
    ProlificAuthor,
    Review,
    TaggedAuthor,
    TupleBook,
)
from books.utils import describe_author


# oracle: admin
@admin.register(Book)
class BookAdmin(admin.ModelAdmin):
    # A ForeignKey column makes the changelist call select_related() with no arguments: it
    # follows author and author.publisher (both non-null), so Author.__str__ is served.
    list_display = ["title", "author"]


# oracle: admin
@admin.register(TupleBook)
class TupleBookAdmin(admin.ModelAdmin):
    # The tuple joins author only; Author.__str__ reads author.publisher on every row.
    list_display = ["title", "author"]  # expect: DJP120
    list_select_related = ("author",)


# oracle: admin
class EditedBookAdmin(admin.ModelAdmin):
    # select_related() with no arguments skips the nullable editor.
    list_display = ["title", "editor"]  # expect: DJP120


admin.site.register(EditedBook, EditedBookAdmin)


# oracle: admin
@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    # "book__title" is not a field: no automatic select_related().
    list_display = ["rating", "book__title"]  # expect: DJP120


# oracle: admin
@admin.register(ListedReview)
class ListedReviewAdmin(admin.ModelAdmin):
    list_display = ["rating", "book__title"]
    list_select_related = ["book"]


# oracle: admin
@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    # Two findings on this line: book_count, and str(author) in the action checkbox column.
    list_display = ["name", "book_count"]  # expect: DJP120

    @admin.display(description="books")
    def book_count(self, obj):
        return obj.book_set.count()


# oracle: admin
@admin.register(ProlificAuthor)
class ProlificAuthorAdmin(admin.ModelAdmin):
    # The action checkbox shows str(author), which reads publisher: joined here.
    list_display = ["name", "book_count"]
    list_select_related = ["publisher"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("book_set")  # load-read

    def book_count(self, obj):
        return obj.book_set.count()


# oracle: admin
@admin.register(TaggedAuthor)
class TaggedAuthorAdmin(admin.ModelAdmin):
    # The column loops over each author's books and each book's tags: both repeat per row,
    # so the prefetch must name the nested path.
    list_display = ["name", "tag_list"]  # expect: DJP120
    list_select_related = ["publisher"]

    def tag_list(self, obj):
        return ", ".join(t.name for b in obj.book_set.all() for t in b.tags.all())


# oracle: admin
@admin.register(PrefetchedTaggedAuthor)
class PrefetchedTaggedAuthorAdmin(admin.ModelAdmin):
    # The same column with the nested path prefetched: a fixed number of queries.
    list_display = ["name", "tag_list"]
    list_select_related = ["publisher"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("book_set__tags")

    def tag_list(self, obj):
        return ", ".join(t.name for b in obj.book_set.all() for t in b.tags.all())


# oracle: admin
@admin.register(AuthoredReview)
class AuthoredReviewAdmin(admin.ModelAdmin):
    # The column's imported helper reads book.author, which the changelist does not join.
    list_display = ["rating", "book_by"]  # expect: DJP120
    list_select_related = ["book"]

    def book_by(self, obj):
        return describe_author(obj.book)


# oracle: admin
@admin.register(JoinedAuthoredReview)
class JoinedAuthoredReviewAdmin(admin.ModelAdmin):
    list_display = ["rating", "book_by"]
    list_select_related = ["book__author"]

    def book_by(self, obj):
        return describe_author(obj.book)

from django.contrib import admin

from .models import Author, Book, Copy, Edition, Review


class TitleColumns:
    list_display = ["title", "author__name"]


@admin.register(Book)
class BookAdmin(TitleColumns, admin.ModelAdmin):
    """Books."""

    list_select_related = ("author",)
    search_fields = ["title"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("rating", "book__title", "book__author__name")
    list_select_related = (
        "book",
        "book__author",
    )


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "publisher__name", "tag_list"]
    list_select_related = ("publisher",)

    def tag_list(self, obj):
        return ", ".join(
            t.name for b in obj.book_set.all() for t in b.tags.all()
        )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("book_set__tags")


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["book"]
    list_select_related = ("book",)


@admin.register(Copy)
class CopyAdmin(admin.ModelAdmin):
    list_display = ["id", "book__author__name"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("book", "book__author")

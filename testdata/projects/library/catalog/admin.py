from django.contrib import admin

from catalog.models import Book, Review


# oracle: admin
@admin.register(Book)
class BookAdmin(admin.ModelAdmin):
    # A ForeignKey in list_display makes the changelist call select_related() itself.
    list_display = ["title", "author", "published_on"]
    list_filter = ["is_published"]


# oracle: admin
@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["book", "rating"]
    list_select_related = ["book"]

from django.contrib import admin

from board.models import Board


# oracle: admin
@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ["name", "topic_count", "first_topic"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("topics", "notes")

    @admin.display(description="topics")
    def topic_count(self, obj):
        return obj.topics.count()

    def first_topic(self, obj):
        return obj.topics.first()

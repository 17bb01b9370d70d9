from django.urls import path

from catalog import views

urlpatterns = [
    path("books/", views.BookTableView.as_view()),
    path("books/fast/", views.FastBookTableView.as_view()),
    path("books/generated/", views.GeneratedTableView.as_view()),
    path("books/generated/fast/", views.FastGeneratedTableView.as_view()),
    path("books/titles/", views.TitleTableView.as_view()),
    path("books/tags/", views.TagsTableView.as_view()),
    path("books/tags/fast/", views.FastTagsTableView.as_view()),
    path("books/reviews/", views.ReviewCountView.as_view()),
    path("books/reviews/fast/", views.FastReviewCountView.as_view()),
    path("books/publishers/", views.PublisherTableView.as_view()),
    path("books/publishers/fast/", views.FastPublisherTableView.as_view()),
    path("books/editors/", views.RecordTableView.as_view()),
    path("books/editors/fast/", views.FastRecordTableView.as_view()),
    path("books/prefetching/", views.PrefetchingTableView.as_view()),
    path("books/own-data/", views.OwnDataView.as_view()),
    path("books/templated/", views.TemplatedTableView.as_view()),
    path("books/captioned/", views.CaptionedTableView.as_view()),
    path("books/titles-only/", views.TitlesOnlyView.as_view()),
]

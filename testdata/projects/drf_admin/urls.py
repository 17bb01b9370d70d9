from django.contrib import admin
from django.urls import path

from rest_framework.routers import SimpleRouter

from books import views, views_unused

router = SimpleRouter()
router.register("api/unused/viewset", views_unused.BookPkViewSet, basename="unused-books")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/nested/", views.BookNestedList.as_view()),
    path("api/nested-ok/", views.BookNestedListOk.as_view()),
    path("api/source/", views.BookSourceList.as_view()),
    path("api/source-ok/", views.BookSourceListOk.as_view()),
    path("api/pk/", views.BookPkList.as_view()),
    path("api/tag-pks/", views.BookTagPkList.as_view()),
    path("api/slug/", views.BookSlugList.as_view()),
    path("api/depth/", views.BookDepthList.as_view()),
    path("api/depth-ok/", views.BookDepthListOk.as_view()),
    path("api/author-stats/", views.AuthorStatsList.as_view()),
    path("api/author-stats-ok/", views.AuthorStatsListOk.as_view()),
    path("api/author-recent/", views.AuthorRecentList.as_view()),
    path("api/source-mixin/", views.BookSourceMixinList.as_view()),
    path("api/source-dynamic/", views.BookSourceDynamicList.as_view()),
    path("api/source-branches/", views.BookSourceBranchList.as_view()),
    path("api/books/<int:pk>/", views.BookDetail.as_view()),
    path("api/author-helper-stats/", views.AuthorHelperStatsList.as_view()),
    path("api/book-tag-totals/", views.BookTagTotalList.as_view()),
    path("api/article-titles/", views.ArticleTitleList.as_view()),
    path("api/article-titles-ok/", views.ArticleTitleListOk.as_view()),
    path("api/articles/", views.ArticleFullList.as_view()),
    path("api/book-labels/", views.BookLabelList.as_view()),
    path("api/book-described/", views.BookDescribedList.as_view()),
    path("api/book-described-ok/", views.BookDescribedListOk.as_view()),
    path("api/book-review-totals/", views.BookReviewTotalList.as_view()),
    path("api/book-review-given/", views.BookReviewGivenList.as_view()),
    path("api/book-labels-ok/", views.BookLabelListOk.as_view()),
    path("api/authors/<int:pk>/stats/", views.AuthorStatsDetail.as_view()),
    path("api/book-titles-and-authors/", views.BookTitlesAndAuthors.as_view()),
    path("api/unused/pk-joined/", views_unused.BookPkJoinedList.as_view()),
    path("api/unused/source-tags/", views_unused.BookSourceTagsList.as_view()),
    path("api/unused/method-editor/", views_unused.BookMethodEditorList.as_view()),
    path("api/unused/nested-reviews/", views_unused.BookNestedReviewsList.as_view()),
    path("api/unused/repr-editor/", views_unused.BookReprEditorList.as_view()),
    path("api/unused/label-property/", views_unused.BookLabelPropertyList.as_view()),
    path("api/unused/own-list/", views_unused.BookOwnList.as_view()),
    path("api/unused/with-context/", views_unused.BookContextList.as_view()),
    path("api/unused/to-attr-tags/", views_unused.BookToAttrTagsList.as_view()),
] + router.urls

from django.contrib import admin
from django.urls import path

from board import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/boards/", views.BoardSummaryList.as_view()),
    path("api/topics/", views.TopicSummaryList.as_view()),
    path("api/boards-nested/", views.BoardNestedList.as_view()),
    path("api/boards-topics/", views.BoardTopicsList.as_view()),
    path("api/topics-none/", views.TopicNestedBase.as_view()),
    path("api/topics-none-method/", views.TopicNoneList.as_view()),
    path("api/topics-of-boards/", views.TopicsOfBoards.as_view()),
    path("api/topics-or-none/", views.TopicsOrNone.as_view()),
]

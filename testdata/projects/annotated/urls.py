from django.urls import path

from desk import views

urlpatterns = [
    path("shelf/", views.my_shelf),
    path("shelf-joined/", views.my_shelf_joined),
    path("shelf-all/", views.my_whole_shelf),
    path("shelf-view/", views.ShelfView.as_view()),
    path("shelf-view-joined/", views.JoinedShelfView.as_view()),
]

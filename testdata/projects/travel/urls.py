from django.urls import path

from shop import views

urlpatterns = [
    path("export/", views.BookExportView.as_view()),
    path("joined-export/", views.JoinedExportView.as_view()),
]

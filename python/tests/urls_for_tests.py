from django.db import connection
from django.http import HttpResponse
from django.urls import path


def one_query(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s", [1])
    return HttpResponse("ok")


urlpatterns = [path("one/", one_query)]

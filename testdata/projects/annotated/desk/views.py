"""`request.user` is the `AUTH_USER_MODEL` row the authentication middleware loaded."""

from django.http import HttpResponse
from django.views import View


# oracle: get /shelf/
def my_shelf(request):
    titles = [s.book.title for s in request.user.shelves.filter(active=True)]  # expect: DJP101
    return HttpResponse(", ".join(titles))


# oracle: get /shelf-joined/
def my_shelf_joined(request):
    titles = [s.book.title for s in request.user.shelves.filter(active=True).select_related("book")]
    return HttpResponse(", ".join(titles))


# oracle: get /shelf-all/
def my_whole_shelf(request):
    # nothing prefetched the user's shelves: `.all()` queries, and each book too
    titles = [s.book.title for s in request.user.shelves.all()]  # expect: DJP101
    return HttpResponse(", ".join(titles))


# oracle: get /shelf-view/
class ShelfView(View):
    def get(self, request):
        out = []
        for shelf in self.request.user.shelves.order_by("pk"):
            out.append(shelf.book.title)  # expect: DJP101
        return HttpResponse(", ".join(out))


# oracle: get /shelf-view-joined/
class JoinedShelfView(View):
    def get(self, request):
        out = []
        for shelf in self.request.user.shelves.select_related("book").order_by("pk"):
            out.append(shelf.book.title)
        return HttpResponse(", ".join(out))

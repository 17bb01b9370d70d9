from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from shop.models import Author, Book


def book_list(request):
    books = Book.objects.order_by("pk")  # expect: DJP130 measure: confirmed 4 BookViewTests.test_book_list
    return render(request, "shop/book_list.html", {"books": books})


def book_list_fast(request):
    books = Book.objects.select_related("author").order_by("pk")
    return render(request, "shop/book_list.html", {"books": books})


def author_detail(request, pk):
    author = get_object_or_404(Author, pk=pk)
    return render(request, "shop/author_detail.html", {"author": author})


def author_list(request):
    lines = [f"{author.name}: {len(author.books.all())}" for author in Author.objects.order_by("pk")]  # expect: DJP102 measure: confirmed 4 BookViewTests.test_author_list
    return HttpResponse("\n".join(lines), content_type="text/plain")

from django.conf import settings

from .models import Book


def two_branches(flag):
    if flag:
        books = Book.objects.filter(title="a").select_related("author")
    else:
        books = Book.objects.order_by("title").select_related("author")
    for b in books:
        print(b.author.name)


def narrowed_on_one_branch(flag):
    books = Book.objects.filter(title="a").select_related("author")
    if flag:
        books = books.exclude(title="b")
    for b in books:
        print(b.author.name)


def one_branch_loads(flag):
    if flag:
        books = Book.objects.select_related("author")
    else:
        books = Book.objects.select_related("author")
    for b in books:
        print(b.author.name)


def one_branch_refuses(flag):
    if flag:
        books = Book.objects.only("title", "author")
    else:
        books = Book.objects.all()
    for b in books:
        print(b.author.name)


def elif_chain(flag):
    if flag == 1:
        books = Book.objects.filter(title="a").prefetch_related("tags")
    elif flag == 2:
        books = Book.objects.filter(title="b").prefetch_related("tags")
    else:
        books = Book.objects.prefetch_related("tags")
    for b in books:
        print(list(b.tags.all()))


def locked():
    for b in Book.objects.select_for_update().filter(title="a"):
        print(b.author.name)


def locked_by_name():
    books = Book.objects.select_for_update()
    for b in books[:10]:
        print(b.author.name)

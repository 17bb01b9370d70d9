from .models import Author, Book


def chain():
    books = (
        Book.objects
        .filter(title="x")
        .order_by("title")
        .select_related("author")
        .prefetch_related("tags")
    )
    for b in books:
        print(b.author.name, list(b.tags.all()))


def merge_existing():
    for b in Book.objects.select_related(
        'editor',
        'author',
    ):
        print(b.author.name)


def two_findings():
    for b in Book.objects.filter(title='x').select_related('author', 'editor'):
        print(b.author.name, b.editor.name)


def deferred():
    for b in Book.objects.only("title"):
        print(b.author.name)


def counted():
    for a in Author.objects.all():
        print(a.book_set.count())


def sliced():
    for b in Book.objects.order_by("title").select_related("author")[:10]:
        print(b.author.name)


def narrowed_children():
    for a in Author.objects.all():
        for b in a.book_set.filter(title="x").select_related("editor"):
            print(b.editor.name)

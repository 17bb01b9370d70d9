from .models import Article, Book, Review


def count_inline():
    return len(Book.objects.filter(title="a"))


def count_named():
    books = Book.objects.filter(title="a")
    n = len(books)
    return n


def any_inline():
    if Book.objects.filter(title="a"):
        return 1
    if not bool(Review.objects.all()):
        return 2
    if len(Book.objects.all()) == 0:
        return 3
    return 0


def counted():
    if Book.objects.filter(title="a").count() > 0:
        return 1
    if Review.objects.count() == 0:
        return 2
    if not Book.objects.filter(title="b").count():
        return 3
    return 0


def keys():
    out = []
    for r in Review.objects.all():
        out.append(r.book.id)
    for b in Book.objects.all():
        out.append(b.editor.pk)
    return out


def titles():
    return [a.title for a in Article.objects.filter(title__startswith="a")]


def titles_and_authors():
    for a in Article.objects.select_related("author"):
        print(a.title, a.author.name)


def titles_loop():
    for a in Article.objects.filter(title__startswith="a"):
        print(a.title)

from .models import Article, Book, Review


def count_inline():
    return Book.objects.filter(title="a").count()


def count_named():
    books = Book.objects.filter(title="a")
    n = books.count()
    return n


def any_inline():
    if Book.objects.filter(title="a").exists():
        return 1
    if not Review.objects.all().exists():
        return 2
    if not Book.objects.all().exists():
        return 3
    return 0


def counted():
    if Book.objects.filter(title="a").exists():
        return 1
    if not Review.objects.exists():
        return 2
    if not Book.objects.filter(title="b").exists():
        return 3
    return 0


def keys():
    out = []
    for r in Review.objects.all():
        out.append(r.book_id)
    for b in Book.objects.all():
        out.append(b.editor_id)
    return out


def titles():
    return [a.title for a in Article.objects.filter(title__startswith="a").defer("body")]


def titles_and_authors():
    for a in Article.objects.select_related("author"):
        print(a.title, a.author.name)


def titles_loop():
    for a in Article.objects.filter(title__startswith="a").defer("body"):
        print(a.title)

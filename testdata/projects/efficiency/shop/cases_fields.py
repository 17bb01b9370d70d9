"""DJP202 and DJP404: fields and keys read on rows that do not hold them."""

from django.db.models import Prefetch

from shop.models import Article, Author


def case_only_then_read():
    for article in Article.objects.only("title"):
        print(article.title, article.views)  # expect: DJP202


def case_only_includes_field():
    for article in Article.objects.only("title", "views"):
        print(article.title, article.views)


def case_defer_then_read():
    for article in Article.objects.defer("body"):
        print(article.body[:10])  # expect: DJP202


def case_defer_unread():
    for article in Article.objects.defer("body"):
        print(article.title, article.pk)


def case_defer_none():
    for article in Article.objects.defer("body").defer(None):
        print(article.body[:10])


def case_prefetch_only():
    authors = Author.objects.prefetch_related(
        Prefetch("articles", queryset=Article.objects.only("id", "author", "title"))
    )
    for author in authors:
        for article in author.articles.all():
            print(article.title, article.views)  # expect: DJP202


def case_prefetch_only_used_fields():
    authors = Author.objects.prefetch_related(
        Prefetch("articles", queryset=Article.objects.only("id", "author", "title"))
    )
    for author in authors:
        for article in author.articles.all():
            print(article.title)


def case_fk_id_in_loop():
    for article in Article.objects.all():
        print(article.author.id)  # expect: DJP404


def case_fk_pk_in_loop():
    for article in Article.objects.all():
        print(article.author.pk)  # expect: DJP404


def case_fk_attname():
    for article in Article.objects.all():  # expect: DJP201
        print(article.author_id)


def case_fk_id_selected():
    for article in Article.objects.select_related("author"):
        print(article.author.id)


def case_only_attname():
    for article in Article.objects.only("title", "author_id"):
        print(article.title, article.author_id)


def case_fk_object_also_used():
    article = Article.objects.order_by("pk").first()
    print(article.author.name, article.author.id)


def case_fk_id_on_created_object():
    # create() keeps the author it was given: reading its id runs no query.
    author = Author.objects.order_by("pk").first()
    article = Article.objects.create(title="New", slug="new-article", body="...", author=author)
    print(article.author.id)

"""DJP201: loops whose rows never read the model's large columns (Article.body)."""

from shop.models import Article, Author, Note


def case_loop_reads_title():
    for article in Article.objects.filter(views__gte=0):  # expect: DJP201
        print(article.title)


def case_comprehension_reads_fields():
    titles = [(a.title, a.views, a.author_id) for a in Article.objects.all()]  # expect: DJP201
    print(titles)


def case_loop_over_name():
    articles = Article.objects.order_by("title")  # expect: DJP201
    for article in articles:
        print(article.pk, article.title.upper())


def case_reads_body():
    for article in Article.objects.all():
        print(article.title, article.body[:10])


def case_row_passed_to_helper():
    for article in Article.objects.all():
        show(article)


def show(article):
    print(article.title)


def case_row_appended():
    kept = []
    for article in Article.objects.all():
        print(article.title)
        kept.append(article)
    return kept


def case_only_already():
    for article in Article.objects.only("title"):
        print(article.title)


def case_defer_already():
    for article in Article.objects.defer("body"):
        print(article.title)


def case_values():
    for row in Article.objects.values("title", "body"):
        print(row["title"])


def case_fstring_of_row():
    # `Article.__str__` reads `title` only
    for article in Article.objects.all():  # expect: DJP201
        print(f"{article}: {article.title}")


def case_queryset_used_again():
    articles = Article.objects.all()
    for article in articles:
        print(article.title)
    return list(articles)


def case_row_kept_after_loop():
    article = None
    for article in Article.objects.all():
        print(article.title)
    return article


def case_method_on_row():
    for article in Article.objects.all():  # expect: DJP201
        print(article.title, str(article))


def case_dict_of_row():
    rows = {}
    for article in Article.objects.all():
        rows[article.title] = article
    return rows


def case_only_pk_read():
    for article in Article.objects.filter(views__gte=0).iterator():  # expect: DJP201
        print(article.pk)


def case_init_reads_large_field():
    for note in Note.objects.all():
        print(note.title)


def case_select_related_unused():
    for article in Article.objects.select_related("author"):  # expect: DJP201, DJP106
        print(article.title)


def case_relation_read():
    for article in Article.objects.select_related("author"):
        print(article.title, article.author.name)


def case_related_manager_of_one_object():
    author = Author.objects.get(pk=1)
    for article in author.articles.all():  # expect: DJP201
        print(article.title)


def case_related_manager_per_row():
    for author in Author.objects.prefetch_related("articles"):
        for article in author.articles.all():
            print(article.title)

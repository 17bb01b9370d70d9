"""DJP401-DJP403: querysets measured instead of asked."""

from django.conf import settings

from shop.models import Article


def case_len_unused():
    articles = Article.objects.filter(views__gte=0)
    print(len(articles))  # expect: DJP401


def case_len_inline():
    print(len(Article.objects.all()))  # expect: DJP401


def case_len_then_iterate():
    # The cache is filled once by len(); the loop reuses it.
    articles = Article.objects.filter(views__gte=0)
    print(len(articles))
    for article in articles:
        print(article.title)


def case_iterate_then_len():
    articles = Article.objects.filter(views__gte=0)
    titles = [a.title for a in articles]
    print(titles, len(articles))


def case_count():
    print(Article.objects.filter(views__gte=0).count())


def case_truthiness_unused():
    articles = Article.objects.filter(views__gte=0)
    if articles:  # expect: DJP402
        print("some")


def case_not_queryset():
    if not Article.objects.filter(views__lt=0):  # expect: DJP402
        print("none")


def case_bool_queryset():
    print(bool(Article.objects.all()))  # expect: DJP402


def case_len_compared():
    articles = Article.objects.all()
    if len(articles) > 0:  # expect: DJP402
        print("some")


def case_truthiness_then_used():
    articles = Article.objects.filter(views__gte=0)
    if articles:
        print([a.title for a in articles])


def case_or_default():
    articles = Article.objects.filter(views__gte=0)
    items = articles or []
    print([a.title for a in items])


def case_exists():
    if Article.objects.filter(views__gte=0).exists():
        print("some")


def case_list_truthiness():
    articles = list(Article.objects.all())
    if articles:
        print(articles[0].title)


def case_count_gt_zero():
    if Article.objects.filter(views__gte=0).count() > 0:  # expect: DJP403
        print("some")


def case_count_eq_zero():
    if Article.objects.filter(views__lt=0).count() == 0:  # expect: DJP403
        print("none")


def case_not_count():
    if not Article.objects.filter(views__lt=0).count():  # expect: DJP403
        print("none")


def case_count_eq_one():
    if Article.objects.filter(views__gte=0).count() == 1:
        print("exactly one")


def case_count_value():
    total = Article.objects.count()
    print(f"{total} articles")


def case_or_default_inline():
    articles = None
    articles = articles or Article.objects.filter(views__gte=0)
    for article in articles:
        print(article.title)


def case_truthiness_in_condition():
    articles = Article.objects.filter(views__lt=0)
    if not settings.DEBUG and articles:  # expect: DJP402
        print("some")

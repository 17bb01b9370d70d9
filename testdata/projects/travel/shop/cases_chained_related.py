"""Methods chained on a related manager per row: any clone but all() queries again."""

from shop.models import Author


def case_related_select_related_per_row():
    for author in Author.objects.all():
        print([b.author.name for b in author.book_set.select_related("author")])  # expect: DJP102


def case_related_custom_method_per_row():
    for author in Author.objects.all():
        print([b.title for b in author.book_set.with_author()])  # expect: DJP102


def case_related_all_prefetched():
    for author in Author.objects.prefetch_related("book_set"):
        print([b.title for b in author.book_set.all()])

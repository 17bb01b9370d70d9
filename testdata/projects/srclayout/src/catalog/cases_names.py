"""Names as real projects write them: module aliases, contrib models, lazy references."""

import catalog.models
import catalog.models as catalog_models
from catalog import models
from catalog.models import Tag, Tagging


def case_module_alias_fk_in_loop():
    for book in models.Book.objects.all():
        print(book.author.name)  # expect: DJP101


def case_module_alias_fk_with_select_related():
    for book in models.Book.objects.select_related("author"):
        print(book.author.name)


def case_import_as_module_alias_in_loop():
    for book in catalog_models.Book.objects.all():
        print(book.author.name)  # expect: DJP101


def case_dotted_module_path_in_loop():
    for book in catalog.models.Book.objects.filter(title__isnull=False):
        print(book.author.name)  # expect: DJP101


def case_contrib_content_type_in_loop():
    for tagging in Tagging.objects.all():
        print(tagging.content_type.app_label)  # expect: DJP101


def case_contrib_content_type_with_select_related():
    for tagging in Tagging.objects.select_related("content_type"):
        print(tagging.content_type.app_label)


def case_lower_case_lazy_m2m_in_loop():
    for book in models.Book.objects.all():
        print([t.name for t in book.tags.all()])  # expect: DJP102


def case_lower_case_lazy_m2m_prefetched():
    for book in models.Book.objects.prefetch_related("tags"):
        print([t.name for t in book.tags.all()])


def case_default_reverse_accessor_in_loop():
    for tag in Tag.objects.all():
        print([b.title for b in tag.book_set.all()])  # expect: DJP102


def case_default_reverse_accessor_prefetched():
    for tag in Tag.objects.prefetch_related("book_set"):
        print([b.title for b in tag.book_set.all()])


def case_default_one_to_one_reverse_in_loop():
    for author in models.Author.objects.all():
        print(author.profile.bio)  # expect: DJP101


def case_default_one_to_one_reverse_with_select_related():
    for author in models.Author.objects.select_related("profile"):
        print(author.profile.bio)

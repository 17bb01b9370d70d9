"""Rows whose model members read relations: properties, cached properties, methods, __str__."""

from shelf.models import Author, Book, Edition, Reprint, Tag, Translation


def case_property():
    for book in Book.objects.all():
        print(book.author_name)  # expect: DJP101


def case_property_loaded():
    for book in Book.objects.select_related("author"):
        print(book.author_name)


def case_property_plain_field():
    for book in Book.objects.all():
        print(book.short_title)


def case_cached_property():
    for book in Book.objects.all():
        print(book.tag_names)  # expect: DJP102


def case_cached_property_prefetched():
    for book in Book.objects.prefetch_related("tags"):
        print(book.tag_names)


def case_functools_cached_property():
    for book in Book.objects.all():
        print(book.tag_count)  # expect: DJP102


def case_property_takes_first_of_relation():
    for book in Book.objects.all():
        print(book.first_tag.name)  # expect: DJP102


def case_property_takes_first_of_prefetched_relation():
    for book in Book.objects.prefetch_related("tags"):
        print(book.first_tag.name)


def case_property_takes_first_of_ordered_relation():
    for book in Book.objects.prefetch_related("tags"):
        print(book.first_tag_by_name.name)  # expect: DJP103


def case_method():
    for book in Book.objects.all():
        print(book.author_label())  # expect: DJP101


def case_method_loaded():
    for book in Book.objects.select_related("author"):
        print(book.author_label())


def case_method_calls_self_helper():
    for book in Book.objects.all():
        print(book.summary())  # expect: DJP101


def case_method_reads_only_id():
    for book in Book.objects.all():
        print(book.author_ref())


def case_str_call():
    for book in Book.objects.all():
        print(str(book))  # expect: DJP101


def case_str_call_loaded():
    for book in Book.objects.select_related("author"):
        print(str(book))


def case_str_fstring():
    for book in Book.objects.all():
        print(f"book: {book}")  # expect: DJP101


def case_str_fstring_loaded():
    for book in Book.objects.select_related("author"):
        print(f"book: {book}")


def case_str_format():
    for book in Book.objects.all():
        print("book: {}".format(book))  # expect: DJP101


def case_str_percent():
    for book in Book.objects.all():
        print("book: %s" % book)  # expect: DJP101


def case_str_nullable_fk_after_bare_select_related():
    for author in Author.objects.select_related():
        print(str(author))  # expect: DJP101


def case_str_nullable_fk_selected_by_name():
    for author in Author.objects.select_related("publisher"):
        print(str(author))


def case_str_print():
    for book in Book.objects.all():
        print(book)  # expect: DJP101


def case_str_print_loaded():
    for book in Book.objects.select_related("author"):
        print(book)


def case_str_of_model_without_custom_str():
    for tag in Tag.objects.all():
        print(str(tag), f"{tag}")


def case_save_body_not_followed():
    for book in Book.objects.all():
        book.save()  # expect: DJP105


# oracle: also=shelf/models.py:Edition
def case_editions_loaded():
    print([e.number for e in Edition.objects.all()])


def case_reprints_loaded():
    print([r.pk for r in Reprint.objects.all()])


# oracle: also=shelf/models.py:Translation also=shelf/models.py:remember_translator
def case_translations_loaded():
    print([t.pk for t in Translation.objects.all()])

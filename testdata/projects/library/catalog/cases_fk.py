"""DJP101 fk-access-in-loop: forward FK / one-to-one reads on rows that did not load them."""

from django.conf import settings
from django.db.models import Prefetch

from catalog.models import Author, Book, BookDetail, Tag


def case_fk_read_in_loop():
    for book in Book.objects.all():
        print(book.title, book.author.name)  # expect: DJP101


def case_fk_read_with_select_related():
    for book in Book.objects.select_related("author"):
        print(book.title, book.author.name)


def case_fk_read_in_enumerate_loop():
    for i, book in enumerate(Book.objects.all(), 1):
        print(i, book.author.name)  # expect: DJP101


def case_fk_read_in_enumerate_loop_with_select_related():
    for i, book in enumerate(Book.objects.select_related("author"), 1):
        print(i, book.author.name)


def case_fk_read_in_zip_loop():
    books = Book.objects.order_by("pk")
    for book, author in zip(books, Author.objects.order_by("pk")):
        print(book.title, author.publisher.name)  # expect: DJP101


def case_fk_read_in_zip_loop_with_select_related():
    books = Book.objects.order_by("pk")
    for book, author in zip(books, Author.objects.select_related("publisher")):
        print(book.title, author.publisher.name)


def case_fk_id_needs_no_query():
    for book in Book.objects.all():
        print(book.title, book.author_id)


def case_fk_pk_through_relation_queries():
    for book in Book.objects.all():
        print(book.author.pk)  # expect: DJP404


def case_bare_select_related_loads_non_null_fk():
    for book in Book.objects.select_related():
        print(book.author.name)


def case_bare_select_related_skips_nullable_fk():
    for book in Book.objects.select_related():
        if book.editor is not None:  # expect: DJP101
            print(book.editor.name)


def case_nullable_fk_selected_by_name():
    for book in Book.objects.select_related("editor"):
        if book.editor is not None:
            print(book.editor.name)


def case_values_span_the_relation():
    for row in Book.objects.values("title", "author__name"):
        print(row["title"], row["author__name"])


def case_prefetch_related_fk():
    for book in Book.objects.prefetch_related("author"):
        print(book.author.name)


def case_prefetch_object_fk():
    books = Book.objects.prefetch_related(Prefetch("author", queryset=Author.objects.only("id", "name")))
    for book in books:
        print(book.author.name)


def case_nested_path_half_selected():
    for book in Book.objects.select_related("author"):
        print(book.author.publisher.name)  # expect: DJP101


def case_nested_path_fully_selected():
    for book in Book.objects.select_related("author__publisher"):
        print(book.author.publisher.name)


def case_default_manager_does_not_select():
    for author in Author.objects.all():
        print(author.publisher.name)  # expect: DJP101


def case_custom_manager_selects_in_get_queryset():
    for author in Author.with_publisher.all():
        print(author.publisher.name)


def case_custom_queryset_method_selects():
    for book in Book.objects.with_author():
        print(book.author.name)


def case_custom_queryset_method_does_not_select():
    for book in Book.objects.published():
        print(book.author.name)  # expect: DJP101


def case_chained_custom_method_then_filter():
    for book in Book.objects.with_author().filter(is_published=True).order_by("title"):
        print(book.author.name)


def case_reassigned_queryset_selects():
    books = Book.objects.all()
    books = books.select_related("author")
    for book in books:
        print(book.author.name)


def case_select_related_result_discarded():
    books = Book.objects.all()
    books.select_related("author")
    for book in books:
        print(book.author.name)  # expect: DJP101


def case_only_one_branch_selects():
    books = Book.objects.all()
    if settings.DEBUG:
        books = books.select_related("author")
    for book in books:
        print(book.author.name)  # expect: DJP101


def case_both_branches_select():
    if settings.DEBUG:
        books = Book.objects.select_related("author", "editor")
    else:
        books = Book.objects.select_related("author")
    for book in books:
        print(book.author.name)


def case_each_branch_builds_its_queryset():
    if settings.DEBUG:
        books = Book.objects.filter(title__startswith="T")
    else:
        books = Book.objects.order_by("title")
    for book in books:
        print(book.author.name)  # expect: DJP101


def case_branches_narrow_one_queryset():
    books = Book.objects.all()
    if settings.DEBUG:
        books = books.filter(title__startswith="T")
    else:
        books = books.exclude(title="")
    for book in books:
        print(book.title, list(book.tags.all()))  # expect: DJP102


def case_list_comprehension():
    names = [book.author.name for book in Book.objects.all()]  # expect: DJP101
    print(names)


def case_list_comprehension_selected():
    names = [book.author.name for book in Book.objects.select_related("author")]
    print(names)


def case_generator_expression():
    print(", ".join(book.author.name for book in Book.objects.filter(is_published=True)))  # expect: DJP101


def case_dict_comprehension_selected():
    by_title = {book.title: book.author.name for book in Book.objects.select_related("author")}
    print(by_title)


def case_reverse_one_to_one():
    for book in Book.objects.all():
        print(book.detail.summary)  # expect: DJP101


def case_reverse_one_to_one_selected():
    for book in Book.objects.select_related("detail"):
        print(book.detail.summary)


def case_forward_one_to_one():
    for detail in BookDetail.objects.all():
        print(detail.book.title)  # expect: DJP101


def case_forward_one_to_one_selected():
    for detail in BookDetail.objects.select_related("book"):
        print(detail.book.title)


def case_children_of_related_manager_know_their_parent():
    author = Author.objects.order_by("pk").first()
    for book in author.book_set.all():
        print(book.title, book.author.name)


def case_filter_by_parent_does_not_attach_it():
    author = Author.objects.order_by("pk").first()
    for book in Book.objects.filter(author=author):
        print(book.title, book.author.name)  # expect: DJP101


def case_prefetched_children_know_their_parent():
    for author in Author.objects.prefetch_related("book_set"):
        for book in author.book_set.all():
            print(book.author.name)


def case_prefetched_children_other_fk_not_loaded():
    for author in Author.objects.prefetch_related("book_set"):
        for book in author.book_set.all():
            if book.editor is not None:  # expect: DJP101
                print(book.editor.name)


def case_prefetched_children_other_fk_prefetched():
    for author in Author.objects.prefetch_related("book_set__editor"):
        for book in author.book_set.all():
            if book.editor is not None:
                print(book.editor.name)


def case_loop_over_primary_key_filter():
    first = Book.objects.order_by("pk").first()
    for book in Book.objects.filter(pk=first.pk):
        print(book.author.name)


def case_loop_over_one_to_one_filter():
    book = Book.objects.order_by("pk").first()
    for detail in BookDetail.objects.filter(book=book):
        print(detail.book.title)


def case_object_loaded_before_loop():
    book = Book.objects.order_by("pk").first()
    for tag in Tag.objects.all():
        print(tag.name, book.author.name)


def case_relation_read_through_getattr():
    for book in Book.objects.all():
        relation = "editor" if book.is_published else "author"
        print(getattr(book, relation).name)  # todo-expect: DJP101


def case_relation_assigned_then_read():
    # Assigning `book.author` fills its cache: reading it back runs no query.
    first = Author.objects.order_by("pk").first()
    for book in Book.objects.all():
        book.author = first
        print(book.title, book.author.name)


def case_relation_assigned_in_one_branch():
    first = Author.objects.order_by("pk").first()
    for book in Book.objects.all():
        if book.editor_id is None:
            book.author = first
        print(book.title, book.author.name)  # expect: DJP101

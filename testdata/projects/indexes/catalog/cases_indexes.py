from catalog.models import Author, Book, Publisher


def case_filter_unindexed_column():
    print(list(Book.objects.filter(published="2000-01-01")))  # expect: DJP301


def case_filter_leading_index_column():
    # title leads book_title_pub_idx (title, published).
    print(list(Book.objects.filter(title="Dune")))


def case_filter_indexed_columns():
    # isbn has db_index, slug is indexed by default, author is a foreign key, pk.
    print(list(Book.objects.filter(isbn="1", slug="dune", author__in=[1, 2], pk=3)))


def case_filter_through_relation():
    print(list(Book.objects.filter(author__city="Paris")))  # expect: DJP301


def case_filter_through_relation_indexed():
    # Author.name leads author_name_city_idx; Author.email is unique.
    print(list(Book.objects.filter(author__name="Le Guin", author__email="x@y.z")))


def case_filter_range_and_in():
    print(list(Book.objects.filter(pages__gte=100)))  # expect: DJP301
    print(Book.objects.exclude(published__year=2000).count())  # expect: DJP301


def case_filter_lookups_no_btree_serves():
    # A B-tree index does not serve these: not reported.
    print(list(Book.objects.filter(title__icontains="dune", body__contains="x")))
    print(list(Book.objects.filter(published=None, in_print=True)))


def case_get_unindexed():
    print(Publisher.objects.filter(country="FR").first())  # expect: DJP301


def case_order_unindexed_after_filter():
    print(list(Book.objects.filter(author_id=1).order_by("-pages")))  # expect: DJP302


def case_order_indexed():
    print(list(Book.objects.order_by("isbn", "pages")))
    print(list(Publisher.objects.all()))


def case_composite_index_served_by_sibling_lookup():
    # (name, city) serves city once name is pinned in the same query.
    print(list(Author.objects.filter(name="Le Guin", city="Paris")))
    print(list(Book.objects.filter(title="Dune").order_by("published")))


def case_composite_index_second_column_alone():
    print(list(Author.objects.filter(city="Paris")))  # expect: DJP301


def case_unindexed_column_next_to_a_foreign_key():
    # The author index finds the author's few books; pages is tested on those.
    print(list(Book.objects.filter(author__pk=1, pages__gt=3)))
    print(list(Book.objects.filter(author=Author.objects.first(), published="2000-01-01")))

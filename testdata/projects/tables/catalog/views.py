from django.views.generic import ListView
from django_tables2 import SingleTableMixin, SingleTableView

from .models import Book
from .tables import (
    BookTable,
    GeneratedTable,
    PrefetchingTable,
    PublisherTable,
    RecordTable,
    ReviewCountTable,
    TagsTable,
    TemplatedTable,
    TitleTable,
)


# oracle: get /books/ also=catalog/tables.py:BookTable
class BookTableView(SingleTableView):
    model = Book  # expect: DJP130
    table_class = BookTable


# oracle: get /books/fast/
class FastBookTableView(SingleTableView):
    queryset = Book.objects.select_related("author")
    table_class = BookTable


# oracle: get /books/generated/ also=catalog/tables.py:GeneratedTable
class GeneratedTableView(SingleTableMixin, ListView):
    queryset = Book.objects.order_by("title")  # expect: DJP130
    table_class = GeneratedTable


# oracle: get /books/generated/fast/
class FastGeneratedTableView(SingleTableMixin, ListView):
    queryset = Book.objects.select_related("author").order_by("title")
    table_class = GeneratedTable


# oracle: get /books/titles/ also=catalog/tables.py:TitleTable
class TitleTableView(SingleTableView):
    model = Book
    table_class = TitleTable


# oracle: get /books/tags/ also=catalog/tables.py:TagsTable
class TagsTableView(SingleTableView):
    queryset = Book.objects.all()  # expect: DJP131
    table_class = TagsTable


# oracle: get /books/tags/fast/
class FastTagsTableView(SingleTableView):
    queryset = Book.objects.prefetch_related("tags")
    table_class = TagsTable


# oracle: get /books/reviews/ also=catalog/tables.py:ReviewCountTable
class ReviewCountView(SingleTableView):
    model = Book  # expect: DJP131
    table_class = ReviewCountTable


# oracle: get /books/reviews/fast/
class FastReviewCountView(SingleTableView):
    queryset = Book.objects.prefetch_related("reviews")
    table_class = ReviewCountTable


# oracle: get /books/publishers/ also=catalog/tables.py:PublisherTable
class PublisherTableView(SingleTableView):
    queryset = Book.objects.select_related("author")  # expect: DJP130
    table_class = PublisherTable


# oracle: get /books/publishers/fast/
class FastPublisherTableView(SingleTableView):
    queryset = Book.objects.select_related("author__publisher")
    table_class = PublisherTable


# oracle: get /books/editors/ also=catalog/tables.py:RecordTable
class RecordTableView(SingleTableView):
    model = Book  # expect: DJP130
    table_class = RecordTable


# oracle: get /books/editors/fast/
class FastRecordTableView(SingleTableView):
    queryset = Book.objects.select_related("editor")
    table_class = RecordTable


# oracle: get /books/prefetching/ also=catalog/tables.py:PrefetchingTable
class PrefetchingTableView(SingleTableView):
    model = Book
    table_class = PrefetchingTable


# oracle: get /books/own-data/
class OwnDataView(SingleTableView):
    model = Book
    table_class = BookTable

    def get_table_data(self):
        return Book.objects.select_related("author")


# oracle: get /books/templated/ also=catalog/tables.py:TemplatedTable
class TemplatedTableView(SingleTableView):
    model = Book
    table_class = TemplatedTable


# oracle: get /books/captioned/
class CaptionedTableView(SingleTableView):
    model = Book  # expect: DJP130
    table_class = BookTable

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        table.caption = "Books"
        return table


# oracle: get /books/titles-only/
class TitlesOnlyView(SingleTableView):
    model = Book
    table_class = BookTable

    def get_table_kwargs(self):
        return {"exclude": ("author",)}

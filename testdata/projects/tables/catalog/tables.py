import django_tables2 as tables
from django_tables2 import A

from .models import Book


class BookTable(tables.Table):
    """A declared column reading through a foreign key."""

    author = tables.Column(accessor="author__name")

    class Meta:
        model = Book
        fields = ("title", "author")


class GeneratedTable(tables.Table):
    """Columns generated from the model's fields: a foreign key renders `str(author)`."""

    class Meta:
        model = Book
        exclude = ("editor",)


class TitleTable(tables.Table):
    """Only local fields (`status` renders get_status_display()), and the FK's id column."""

    author_id = tables.Column()

    class Meta:
        model = Book
        fields = ("title", "status")


class TagsTable(tables.Table):
    title = tables.Column()
    tags = tables.ManyToManyColumn()


class ReviewCountTable(tables.Table):
    title = tables.Column()
    reviews = tables.Column(accessor=A("reviews__count"), orderable=False)


class PublisherTable(tables.Table):
    """`render_<column>()` reads further through the value."""

    title = tables.Column()
    publisher = tables.Column(accessor="author")

    def render_publisher(self, value):
        return value.publisher.name


class RecordTable(tables.Table):
    """`render_<column>()` reading the record."""

    title = tables.Column()
    editor_name = tables.Column(accessor="pk")

    def render_editor_name(self, record):
        return record.editor.name if record.editor_id else "-"


class PrefetchingTable(tables.Table):
    """A table that loads what its columns read itself."""

    author = tables.Column(accessor="author__name")

    def __init__(self, data, **kwargs):
        super().__init__(data.select_related("author"), **kwargs)


class TemplatedTable(tables.Table):
    """A TemplateColumn renders a template djperf does not follow."""

    title = tables.Column()
    link = tables.TemplateColumn(template_code="#{{ record.pk }}")

import functools

from django.db import models
from django.utils.functional import cached_property

from shelf.mixins import LoggingMixin


class Publisher(models.Model):
    name = models.CharField(max_length=100)

    def __str__(self):
        return self.name

    def catalogue(self, books):
        return [(self.name, b.title, b.author.name) for b in books]


class Author(models.Model):
    name = models.CharField(max_length=100)
    publisher = models.ForeignKey(Publisher, null=True, on_delete=models.SET_NULL)

    def __str__(self):
        return f"{self.name} ({self.publisher.name})"


class Tag(models.Model):
    name = models.CharField(max_length=50)


class Book(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    tags = models.ManyToManyField(Tag)

    def __str__(self):
        return "%s by %s" % (self.title, self.author.name)

    @property
    def author_name(self):
        return self.author.name

    @property
    def short_title(self):
        return self.title[:10]

    @cached_property
    def tag_names(self):
        return [t.name for t in self.tags.all()]

    @functools.cached_property
    def tag_count(self):
        return len(self.tags.all())

    @property
    def first_tag(self):
        return self.tags.all()[0]

    @property
    def first_tag_by_name(self):
        return self.tags.order_by("name")[0]

    def author_label(self):
        return self.author.name.upper()

    def summary(self):
        return self._author_part()

    def _author_part(self):
        return self.author.name

    def author_ref(self):
        return self.author_id

    def save(self, *args, **kwargs):
        if not self.pk and not self.title:
            self.title = self.author.name
        super().save(*args, **kwargs)

    def current_price(self):
        return Price.objects.filter(book=self).order_by("-id").first()

    @property
    def in_stock(self):
        return Stock.objects.filter(book=self, count__gt=0).exists()

    def cached_price(self):
        if not hasattr(self, "_price"):
            self._price = Price.objects.filter(book=self).first()
        return self._price


class Price(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    amount = models.IntegerField(default=0)


class Stock(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    count = models.IntegerField(default=0)


# ---------------------------------------------------------------- code run per instance built


class Edition(models.Model):
    """`__init__` remembers the book each row was loaded with: one query per row built (the
    `select_related()` join is attached only after `__init__` has run)."""

    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    number = models.IntegerField(default=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._loaded_book = self.book if self.pk else None  # expect: DJP107


class Reprint(models.Model):
    """Near-misses: the key, and a read only while the instance is new (`_state.adding` is
    still True while `from_db()` runs `__init__`)."""

    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    printer = models.ForeignKey(Publisher, null=True, on_delete=models.SET_NULL)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._loaded_book_id = self.book_id
        if not self._state.adding:
            self._loaded_printer = self.printer
        # nautobot's pattern: the property is False while `from_db()` builds the row.
        self._original_book = self.book if self.present_in_database else None

    @property
    def present_in_database(self):
        return not self._state.adding


class Translation(models.Model):
    """`from_db()` and a `post_init` receiver read relations of every row loaded."""

    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    translator = models.ForeignKey(Author, on_delete=models.CASCADE)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_title = instance.book.title  # expect: DJP107
        return instance


def remember_translator(sender, instance, **kwargs):
    if instance.pk is not None:
        instance._loaded_translator = instance.translator.name  # expect: DJP107


models.signals.post_init.connect(remember_translator, sender=Translation)


class ActionLog(models.Model):
    action = models.CharField(max_length=50)
    target = models.IntegerField(null=True)
    note = models.CharField(max_length=50, blank=True)


class Logged(models.Model, LoggingMixin):
    """An abstract base that takes its methods from a plain mixin."""

    class Meta:
        abstract = True


class Shelf(Logged):
    name = models.CharField(max_length=50)

    def archive(self):
        if not self.name:
            raise ValueError("a shelf has a name")
        self.log_action("archived")

    def rename(self, name):
        self.name = name

    def draft_log(self):
        return self.log_action("drafted", save=False)


class Bay(models.Model):
    """Bays nest; a bay's label names its parents', recursively."""

    name = models.CharField(max_length=50)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE)

    def label(self):
        if self.parent is not None:
            return f"{self.parent.label()}/{self.name}"
        return self.name

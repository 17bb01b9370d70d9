from django.db import models


class Publisher(models.Model):
    name = models.CharField(max_length=100, unique=True)
    country = models.CharField(max_length=50)

    class Meta:
        ordering = ["name"]


class Author(models.Model):
    name = models.CharField(max_length=100)
    email = models.CharField(max_length=200, unique=True)
    city = models.CharField(max_length=100)

    class Meta:
        ordering = ["city"]  # expect: DJP302
        indexes = [models.Index(fields=["name", "city"], name="author_name_city_idx")]


class Book(models.Model):
    title = models.CharField(max_length=200)
    isbn = models.CharField(max_length=13, db_index=True)
    slug = models.SlugField()
    published = models.DateField()
    pages = models.IntegerField(default=0)
    in_print = models.BooleanField(default=True)
    body = models.TextField(default="")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    # Django's default spelled out: the same one index, nothing to report.
    publisher = models.ForeignKey(Publisher, models.CASCADE, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["title", "published"], name="book_title_pub_idx")]


class Tag(models.Model):
    label = models.CharField(max_length=50, db_index=True)  # expect: DJP303
    group = models.CharField(max_length=50)
    # A SlugField is indexed anyway: db_index=True adds nothing.
    handle = models.SlugField(db_index=True, default="")

    class Meta:
        indexes = [models.Index(fields=["label", "group"], name="tag_label_group_idx")]


class Printing(models.Model):
    """django-newsletter's Message: a SlugField's own index (no `db_index=True` written)
    that a unique_together leading on it covers; `db_index=False` turns it off."""

    slug = models.SlugField()  # expect: DJP303
    book = models.ForeignKey(Book, on_delete=models.CASCADE)

    class Meta:
        unique_together = [("slug", "book")]


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    reviewer = models.ForeignKey(Author, on_delete=models.CASCADE)
    rating = models.IntegerField()

    class Meta:
        unique_together = [("book", "reviewer")]
        # A partial index is not a plain duplicate of anything.
        indexes = [
            models.Index(fields=["rating"], name="review_rating_idx"),
            models.Index(
                fields=["book"], name="review_good_idx", condition=models.Q(rating__gte=4)
            ),
        ]


class Edition(models.Model):  # expect: DJP303
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    printer = models.ForeignKey(Publisher, on_delete=models.CASCADE)
    code = models.CharField(max_length=20, unique=True)
    year = models.IntegerField(db_index=True)
    lang = models.CharField(max_length=5, db_index=True)
    run = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["run", "year"], name="edition_run_year_idx")]


class Seat(models.Model):
    """A unique column that leads a longer unique constraint is no redundant index: the
    shorter one enforces a stronger rule."""

    code = models.CharField(max_length=20, unique=True)
    row = models.IntegerField()

    class Meta:
        unique_together = [("code", "row")]


class Loan(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    due = models.DateField()

    class Meta:
        # An exact duplicate of Django's foreign key index.
        indexes = [models.Index(fields=["book"], name="loan_book_idx")]  # expect: DJP303


class Visit(models.Model):
    """Column order matters: (-day) reads like (day), but (room, -day) is not (room, day)."""

    room = models.IntegerField()
    day = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["room", "-day"], name="visit_room_latest_idx"),
            models.Index(fields=["room", "day"], name="visit_room_day_idx"),
            models.Index(fields=["-room"], name="visit_room_idx"),  # expect: DJP303
        ]


class Shelf(models.Model):
    """At the limit: five indexes besides the primary key."""

    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    owner = models.ForeignKey(Author, on_delete=models.CASCADE)
    code = models.CharField(max_length=20, unique=True)
    row = models.IntegerField(db_index=True)
    col = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["col", "row"], name="shelf_col_row_idx")]

from django.db import models


class Publisher(models.Model):
    name = models.CharField(max_length=100)
    country = models.CharField(max_length=2, blank=True)

    def __str__(self):
        return self.name

    @property
    def listed_authors(self):
        # the related manager over Author.with_publisher (joins each author's publisher)
        return self.authors(manager="with_publisher")


class AuthorWithPublisherManager(models.Manager):
    # Historical models (data migrations) keep this manager.
    use_in_migrations = True

    def get_queryset(self):
        return super().get_queryset().select_related("publisher")


class Author(models.Model):
    name = models.CharField(max_length=100)
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, related_name="authors")
    bio = models.TextField(blank=True)

    objects = models.Manager()
    with_publisher = AuthorWithPublisherManager()

    def __str__(self):
        return self.name

    def editor_names(self):
        # The caller may prefetch "book_set__editor": what `self` loads is not known here.
        return [book.editor.name for book in self.book_set.all() if book.editor_id]


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class BookQuerySet(models.QuerySet):
    def with_author(self):
        return self.select_related("author")

    def published(self):
        return self.filter(is_published=True)


class Book(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    editor = models.ForeignKey(
        Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="edited_books"
    )
    tags = models.ManyToManyField(Tag, related_name="books")
    published_on = models.DateField()
    is_published = models.BooleanField(default=True)
    price = models.DecimalField(max_digits=8, decimal_places=2)

    objects = BookQuerySet.as_manager()

    def __str__(self):
        return self.title

    def credited_publisher(self):
        # `a or b` is one of its operands: what is read below it is read on either
        person = self.editor or self.author
        return person.publisher.name


class BookDetail(models.Model):
    book = models.OneToOneField(Book, on_delete=models.CASCADE, related_name="detail")
    summary = models.TextField()
    metadata = models.JSONField(default=dict)


class ReviewManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().select_related("book")


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField()
    body = models.TextField()

    objects = ReviewManager()


# The target's name is computed: djperf does not know the related model.
SHELF_OWNER_MODEL = "catalog." + "Publisher"


class Shelf(models.Model):
    name = models.CharField(max_length=50)
    owner = models.ForeignKey(SHELF_OWNER_MODEL, on_delete=models.CASCADE)

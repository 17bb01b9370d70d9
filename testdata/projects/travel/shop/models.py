from django.db import models


class Publisher(models.Model):
    name = models.CharField(max_length=100)


class Author(models.Model):
    name = models.CharField(max_length=100)
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, related_name="authors")

    def get_books(self):
        return self.book_set.all()

    def get_books_with_tags(self):
        return self.book_set.prefetch_related("tags")

    @property
    def book_count(self):
        if "recent_books" in self.__dict__:
            return len(self.recent_books)
        return self.book_set.count()

    def memo_books(self):
        if not hasattr(self, "_books"):
            self._books = self.book_set.all()
        return self._books

    def memo_books_with_tags(self):
        if not hasattr(self, "_tagged"):
            self._tagged = self.book_set.prefetch_related("tags")
        return self._tagged


class Tag(models.Model):
    name = models.CharField(max_length=50)


class BookQuerySet(models.QuerySet):
    def get(self, *args, **kwargs):
        return super().get(*args, **kwargs)

    def count_titled(self, prefix):
        return self.filter(title__startswith=prefix).count()

    def by_title(self, prefix):
        qs = self.filter(title__startswith=prefix)
        return qs

    def with_author(self):
        qs = self.select_related("author")
        return qs

    def matching(self, words):
        qs = self
        for w in words:
            qs = qs.filter(title__icontains=w)
        return qs


class Book(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    tags = models.ManyToManyField(Tag, related_name="books")

    objects = BookQuerySet.as_manager()

    @property
    def tag_list(self):
        return self.tags.all()

    @staticmethod
    def with_reviews(qs):
        return qs.prefetch_related("reviews")

    @classmethod
    def newest(cls):
        return cls.objects.order_by("-id")

    @classmethod
    def newest_with_author(cls):
        return cls.objects.select_related("author").order_by("-id")


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    rating = models.IntegerField(default=0)


class Node(models.Model):
    name = models.CharField(max_length=50)
    origin = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    publisher = models.ForeignKey(Publisher, null=True, on_delete=models.SET_NULL)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An original is its own origin: do not load it again.
        if self.id and self.origin_id == self.id:
            self.origin = self

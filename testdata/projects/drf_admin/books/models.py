from django.db import models


class Publisher(models.Model):
    name = models.CharField(max_length=100)

    def __str__(self):
        return self.name


class Author(models.Model):
    name = models.CharField(max_length=100)
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE)

    def __str__(self):
        # Shown in every admin column that displays an author: reads another relation.
        return f"{self.name} ({self.publisher.name})"


class Tag(models.Model):
    name = models.CharField(max_length=50)

    def __str__(self):
        return self.name


class Book(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    editor = models.ForeignKey(Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="edited")
    tags = models.ManyToManyField(Tag)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.title

    def author_name(self):
        return self.author.name

    @property
    def author_label(self):
        return f"{self.author.name} ({self.author.publisher.name})"


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    rating = models.IntegerField()

    class Meta:
        ordering = ["id"]


class TupleBook(Book):
    class Meta:
        proxy = True


class EditedBook(Book):
    class Meta:
        proxy = True


class ListedReview(Review):
    class Meta:
        proxy = True


class ProlificAuthor(Author):
    class Meta:
        proxy = True


class TaggedAuthor(Author):
    class Meta:
        proxy = True


class PrefetchedTaggedAuthor(Author):
    class Meta:
        proxy = True


class AuthoredReview(Review):
    class Meta:
        proxy = True


class JoinedAuthoredReview(Review):
    class Meta:
        proxy = True


class Article(models.Model):
    title = models.CharField(max_length=100)
    body = models.TextField()

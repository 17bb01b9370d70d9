from django.db import models


class Publisher(models.Model):
    name = models.CharField(max_length=10)


class Author(models.Model):
    name = models.CharField(max_length=10)
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE)


class Tag(models.Model):
    name = models.CharField(max_length=10)


class Book(models.Model):
    title = models.CharField(max_length=10)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    editor = models.ForeignKey(Author, null=True, on_delete=models.CASCADE, related_name="edited")
    tags = models.ManyToManyField(Tag)

    def __str__(self):
        return self.title


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    rating = models.IntegerField()


class Edition(models.Model):
    book = models.ForeignKey(Book, null=True, on_delete=models.CASCADE)


class Copy(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)


class Article(models.Model):
    title = models.CharField(max_length=10)
    body = models.TextField()
    author = models.ForeignKey(Author, on_delete=models.CASCADE)

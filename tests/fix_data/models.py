from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=10)


class Tag(models.Model):
    name = models.CharField(max_length=10)


class Book(models.Model):
    title = models.CharField(max_length=10)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    editor = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="edited")
    tags = models.ManyToManyField(Tag)

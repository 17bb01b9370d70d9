from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=50)

    def __str__(self):
        return self.name


class Book(models.Model):
    title = models.CharField(max_length=50)
    author = models.ForeignKey(Author, models.CASCADE)

    def __str__(self):
        return f"{self.title} ({self.author.name})"


class Tag(models.Model):
    name = models.CharField(max_length=50)

    def __str__(self):
        return self.name


class Shelf(models.Model):
    label = models.CharField(max_length=50)
    owner = models.ForeignKey(Author, models.CASCADE)

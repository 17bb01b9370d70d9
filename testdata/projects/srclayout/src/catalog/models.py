from django.contrib.contenttypes.models import ContentType
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Tag(models.Model):
    name = models.CharField(max_length=50)


class Book(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey("catalog.author", on_delete=models.CASCADE)
    # Lazy references without an app label and in lower case, as Django resolves them: the
    # model of that name in this app. No related_name: the reverse accessor is `book_set`.
    tags = models.ManyToManyField("tag")


class Tagging(models.Model):
    # Django's ContentType, imported from its own module.
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField()


class Profile(models.Model):
    author = models.OneToOneField(Author, on_delete=models.CASCADE)
    bio = models.CharField(max_length=200)

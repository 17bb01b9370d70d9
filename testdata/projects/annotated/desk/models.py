from django.conf import settings
from django.db import models
from django.db.models.signals import post_save
from django.utils.functional import cached_property


class Publisher(models.Model):
    name = models.CharField(max_length=100)


class Author(models.Model):
    name = models.CharField(max_length=100)
    publisher = models.ForeignKey(Publisher, null=True, on_delete=models.SET_NULL)


class Tag(models.Model):
    name = models.CharField(max_length=50)


class Book(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, related_name="books", on_delete=models.CASCADE)
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE)
    tags = models.ManyToManyField(Tag)

    @cached_property
    def tag_list(self):
        return list(self.tags.order_by("name"))


class Shelf(models.Model):
    """A user's shelf of books; every new user starts with one shelf entry per book."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="shelves", on_delete=models.CASCADE)
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    active = models.BooleanField(default=True)


def fill_new_shelf(sender, instance, created, **kwargs):
    if created:
        Shelf.objects.bulk_create([Shelf(owner=instance, book=b) for b in Book.objects.all()])


post_save.connect(fill_new_shelf, sender=settings.AUTH_USER_MODEL)

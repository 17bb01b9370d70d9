from django.conf import settings
from django.db import models
from django.db.models.signals import post_init, pre_save
from django.dispatch import receiver


class Author(models.Model):
    name = models.CharField(max_length=100)
    email = models.CharField(max_length=200, unique=True)

    def __str__(self):
        return self.name


class Article(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    body = models.TextField()
    views = models.IntegerField(default=0)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="articles")
    editor = models.ForeignKey(
        Author, on_delete=models.SET_NULL, null=True, blank=True, related_name="edited"
    )

    def __str__(self):
        return self.title


class Note(models.Model):
    """Its `__init__` reads the large `text`: deferring it would cost a query per row."""

    title = models.CharField(max_length=100)
    text = models.TextField(default="")
    meta = models.JSONField(default=dict)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.original_text = self.text


# ---------------------------------------------------------------- DJP201: managers and members


class PostQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(views__gte=0)


class PostManager(models.Manager.from_queryset(PostQuerySet)):
    pass


class Post(models.Model):
    """Custom managers; `__str__`, `label()` and `save()` read only `title` and `views`."""

    title = models.CharField(max_length=200)
    body = models.TextField(default="")
    views = models.IntegerField(default=0)

    objects = PostQuerySet.as_manager()
    listed = PostManager()

    def __str__(self):
        return self.title

    def label(self):
        return self.title.upper()

    def excerpt(self):
        return self.body[:50]

    def share(self):
        return notify(self)

    def save(self, *args, **kwargs):
        if self.views < 0:
            self.views = 0
        super().save(*args, **kwargs)


def notify(post):
    return post.body


class LightManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().defer("body")


class Draft(models.Model):
    """Its manager already leaves `body` out."""

    title = models.CharField(max_length=200)
    body = models.TextField(default="")

    objects = LightManager()


class MaybeLightManager(models.Manager):
    def get_queryset(self):
        qs = super().get_queryset()
        if settings.DEBUG:
            return qs
        return qs.defer("body")


class Page(models.Model):
    """Its manager's `get_queryset()` may defer `body`: djperf cannot tell."""

    title = models.CharField(max_length=200)
    body = models.TextField(default="")

    objects = MaybeLightManager()


class Memo(models.Model):
    """`__str__` and a `pre_save` receiver read the large `text`."""

    title = models.CharField(max_length=200)
    text = models.TextField(default="")
    size = models.IntegerField(default=0)

    def __str__(self):
        return self.text[:20]


@receiver(pre_save, sender=Memo)
def measure_memo(sender, instance, **kwargs):
    instance.size = len(instance.text)


class Log(models.Model):
    """`save()` reads the large `message`."""

    title = models.CharField(max_length=200)
    message = models.TextField(default="")
    length = models.IntegerField(default=0)

    def save(self, *args, **kwargs):
        self.length = len(self.message)
        super().save(*args, **kwargs)


class Sheet(models.Model):
    """A `post_init` receiver reads the large `data` of every instance built."""

    name = models.CharField(max_length=200)
    data = models.JSONField(default=dict)


def remember_data(sender, instance, **kwargs):
    instance.original_data = instance.data


post_init.connect(remember_data, sender=Sheet)


class Summary:
    """A helper holding the row (weblate's `ComponentStats(self)`)."""

    def __init__(self, obj):
        self.obj = obj

    def size(self):
        return len(self.obj.body)


class Chapter(models.Model):
    """`__init__` hands the row to a helper kept on it: what `chapter.summary` reads is the
    helper's business."""

    title = models.CharField(max_length=100)
    body = models.TextField(default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.summary = Summary(self)


LeafletManager = models.Manager.from_queryset(PostQuerySet)


class Leaflet(models.Model):
    """A manager class synthesised in this module (nautobot's `CableTerminationManager`)."""

    title = models.CharField(max_length=100)
    body = models.TextField(default="")
    views = models.IntegerField(default=0)

    objects = LeafletManager()

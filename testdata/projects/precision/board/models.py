from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Prefetch

from board.query import MarkedMixin


class Positioned(models.Model):
    """An abstract base whose ordering its children inherit."""

    position = models.IntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position"]


class BoardQuerySet(models.QuerySet):
    def with_topics(self):
        """Prefetches the topics with a queryset of its own: a plain lookup through
        `topics` chained before this call makes Django raise."""
        return self.prefetch_related(Prefetch("topics", queryset=Topic.objects.filter(position__gte=0)))


class Board(models.Model):
    name = models.CharField(max_length=50)
    notes = GenericRelation("Note")
    flags = GenericRelation("Flag")

    objects = BoardQuerySet.as_manager()

    def topic_titles(self, readonly=False):
        """The topics' titles, read only when the caller may edit them."""
        if not readonly:
            return [topic.title for topic in self.topics.all()]
        return []

    def summary(self, readonly=False):
        return {"name": self.name, "topics": self.topic_titles(readonly=readonly)}

    def first_topic_title(self):
        return Topic.objects.filter(board=self).order_by("pk").first().title

    def ordered_topic_titles(self):
        """From a `Prefetch(to_attr="ordered_topics")` list when the rows carry it, else
        queried (both branches fall through: no early return)."""
        titles = []
        if hasattr(self, "ordered_topics"):
            titles.extend(topic.title for topic in self.ordered_topics)
        else:
            titles.extend(topic.title for topic in self.topics.order_by("pk"))
        return titles

    def note_texts(self, brief):
        if brief:
            return []
        return [note.text for note in self.notes.all()]


class Topic(Positioned):
    board = models.ForeignKey(Board, related_name="topics", on_delete=models.CASCADE)
    title = models.CharField(max_length=50)
    summary = models.CharField(max_length=200, blank=True)

    def label(self):
        """The annotated post count when the queryset has it, else the stored summary."""
        if hasattr(self, "post_total"):
            return f"{self.title} ({self.post_total})"
        return f"{self.title}: {self.summary}"

    def short_label(self):
        if not hasattr(self, "post_total"):
            return self.summary
        return self.title

    def count_or_summary(self):
        return self.post_total if hasattr(self, "post_total") else self.summary

    def default_board_name(self):
        """The same board for every topic: the query reads nothing of `self`."""
        return Board.objects.filter(name__gt="").order_by("pk").first().name


class PostManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().order_by("created")


class Post(models.Model):
    """Ordered by its default manager, not by Meta."""

    topic = models.ForeignKey(Topic, related_name="posts", on_delete=models.CASCADE)
    created = models.IntegerField(default=0)
    body = models.CharField(max_length=200)

    objects = PostManager()


class Reply(models.Model):
    """No ordering at all."""

    post = models.ForeignKey(Post, related_name="replies", on_delete=models.CASCADE)
    text = models.CharField(max_length=200)

    def save(self, *args, **kwargs):
        self.text = self.text.strip()
        super().save(*args, **kwargs)


class Note(models.Model):
    """A generic relation target with Meta.ordering."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    text = models.CharField(max_length=200)

    class Meta:
        ordering = ["object_id", "pk"]


class Flag(models.Model):
    """A generic relation target without ordering."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    reason = models.CharField(max_length=200)


class Checklist(models.Model):
    """Copies itself through its `__dict__`, as kiwitcms's `TestCase.clone()` does: a prefetch
    leaves `_prefetched_objects_cache` there, and `create(**values)` would raise TypeError."""

    name = models.CharField(max_length=50)

    def clone(self):
        values = self.__dict__.copy()
        del values["_state"]
        del values["id"]
        return Checklist.objects.create(**values)


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(Checklist, related_name="items", on_delete=models.CASCADE)
    text = models.CharField(max_length=50)


class Lane(models.Model):
    """Reads one name of its `__dict__` only: a prefetch cannot break that."""

    name = models.CharField(max_length=50)

    def remembered(self):
        if "_remembered" in self.__dict__:
            return self.__dict__["_remembered"]
        return self.__dict__.get("name")


class LaneCard(models.Model):
    lane = models.ForeignKey(Lane, related_name="cards", on_delete=models.CASCADE)


class Owner(models.Model):
    name = models.CharField(max_length=50)


class Component(models.Model):
    """A nullable owner: reading it where the key is null costs no query (seed.py leaves the
    first component without one)."""

    name = models.CharField(max_length=50)
    owner = models.ForeignKey(Owner, null=True, blank=True, related_name="components", on_delete=models.SET_NULL)


class BadgeQuerySet(MarkedMixin, models.QuerySet):
    pass


BadgeManager = models.Manager.from_queryset(BadgeQuerySet)


class Badge(models.Model):
    """Unique per (board, code) by `unique_together`, and per (owner, label) by a
    `UniqueConstraint`: an equality filter on all of either pins one row."""

    board = models.ForeignKey(Board, related_name="badges", on_delete=models.CASCADE)
    code = models.CharField(max_length=50)
    owner = models.ForeignKey(Owner, related_name="badges", on_delete=models.CASCADE)
    label = models.CharField(max_length=50)

    objects = BadgeManager()

    class Meta:
        unique_together = [("board", "code")]
        constraints = [models.UniqueConstraint(fields=["owner", "label"], name="badge_owner_label")]

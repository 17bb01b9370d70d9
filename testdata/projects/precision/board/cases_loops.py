"""Loops whose queries are not one per row of something one query could fetch (false-positive
classes of the 2026-12 reading of unseen projects), each beside the near miss that is.

- A literal list bound in the function (`checks = [...]`, django-postman's consistency
  checks): a fixed number of different queries.
- A query on the database the iteration names (`.using(alias)` over the configured
  databases, django-comments-xtd).
- A walk down a path where each lookup needs the row the previous one found (mayan's
  cabinet levels: `cabinet = Cabinet.objects.get(label=level, parent=cabinet)`), and a
  refresh of a row carried across iterations that each iteration rewrites (misago's MPTT
  moves re-read `target = M.objects.get(pk=target.pk)`): no query before the loop can know
  what to fetch. The loop's own item re-read by its key is still reported: the loop's
  queryset can load it fresh.

The help of the reported ones fits the code (tests/snapshots records the wording): the
fixed lookups stay a filter and the dict is keyed by the lookups that change; per-row
values of an `update()` are a `bulk_update()`; an existence test over values that are not
rows collects the keys once; a row copied with `pk = None` is a `bulk_create()`; a model
whose `save()` is overridden is named in the create advice; a function that calls itself on
every row is told to hand down what its levels need.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import Q

from board.models import Board, Post, Reply, Topic


def case_literal_list_of_checks():
    checks = [
        Q(title=""),
        Q(position__lt=0),
        Q(board__name=""),
    ]
    for check in checks:
        if Topic.objects.filter(check).exists():
            print(check)


def case_list_of_rows_is_not_literal():
    names = list(Board.objects.values_list("name", flat=True))
    for name in names:
        if Topic.objects.filter(title=name).exists():  # expect: DJP104
            print(name)


def case_query_per_database():
    total = 0
    for alias in connections:
        total += Topic.objects.using(alias).count()
    print(total)


def case_fixed_database_per_row():
    for board in Board.objects.all():
        print(Topic.objects.using("default").filter(board=board).count())  # expect: DJP104


def case_walk_down_a_path():
    board = Board.objects.order_by("pk").first()
    topic = None
    for title in "topic 0/topic 1".split("/"):
        if topic is None:
            topic = Topic.objects.filter(board=board, title=title).first()
        else:
            topic = Topic.objects.filter(board=topic.board, title=title, pk__gt=topic.pk).first()
        print(title, topic)


def move_all(target, topics):
    """Each move rewrites the target: the loop re-reads it (a deliberate refresh, not run by
    the oracle: the refresh costs a query per row, and no query before the loop could serve
    it)."""
    for topic in topics:
        target = Board.objects.get(pk=target.pk)
        topic.board = target
        topic.position = 0
        topic.save()


def case_fixed_and_varying_lookups():
    board = Board.objects.order_by("pk").first()
    for topic in Topic.objects.all():
        print(Topic.objects.filter(board=board, title=topic.title).first())  # expect: DJP104


def case_content_type_by_natural_key():
    for board in Board.objects.all():
        print(ContentType.objects.get(app_label=board._meta.app_label, model=board._meta.model_name))  # expect: DJP104


def case_update_with_a_value_per_row():
    for i, topic in enumerate(Topic.objects.order_by("pk")):
        Topic.objects.filter(pk=topic.pk).update(position=i)  # expect: DJP104


def case_update_with_one_value():
    for board in Board.objects.all():
        Topic.objects.filter(board=board).update(position=0)  # expect: DJP104


def case_copy_rows():
    for post in Post.objects.all():
        post.pk = None
        post.save()  # expect: DJP105


def case_create_with_overridden_save():
    for post in Post.objects.all():
        Reply.objects.create(post_id=post.pk, text=" copy ")  # expect: DJP104


def case_item_re_read_by_its_key():
    for topic in Topic.objects.all():
        topic = Topic.objects.get(pk=topic.pk)  # expect: DJP104
        print(topic.title)




def board_counts(topic, depth):
    print(Topic.objects.filter(board_id=topic.board_id).count())
    if depth:
        for later in Topic.objects.filter(pk__gt=topic.pk):
            board_counts(later, depth - 1)  # expect: DJP104


# oracle: also=board/cases_loops.py:board_counts
def case_recursive_call_in_a_loop():
    board_counts(Topic.objects.order_by("pk").first(), 1)

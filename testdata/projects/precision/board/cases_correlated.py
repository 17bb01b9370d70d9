"""DJP104's annotate advice names the queryset the loop iterates and the row's own columns:
a loop over `Note` rows testing `Flag`s of the same object gets `OuterRef("content_type_id")`
and `OuterRef("object_id")` on the `Note` queryset, not `OuterRef("pk")` on the model the
lookup's foreign key points to. A loop over things that are not rows (values, pairs, items a
previous query found) gets no annotate advice, and what it collects before the loop filters
only on values known there, keyed by what the loop has (`counts.get(board.pk, 0)`).
tests/snapshots records the wording; each positive sits beside its advice applied (clean)."""

from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce

from board.models import Board, Flag, Note, Post, Topic


def case_flags_of_the_same_object_per_note():
    for note in Note.objects.all():
        print(Flag.objects.filter(content_type_id=note.content_type_id, object_id=note.object_id).exists())  # expect: DJP104


def case_flags_of_the_same_object_annotated():
    flagged = Flag.objects.filter(content_type_id=OuterRef("content_type_id"), object_id=OuterRef("object_id"))
    for note in Note.objects.annotate(has_flag=Exists(flagged)):
        print(note.has_flag)


def case_later_topic_on_the_same_board():
    for topic in Topic.objects.all():
        print(Topic.objects.filter(board_id=topic.board_id, position__gt=topic.position).exists())  # expect: DJP104


def case_later_topic_on_the_same_board_annotated():
    later = Topic.objects.filter(board_id=OuterRef("board_id"), position__gt=OuterRef("position"))
    for topic in Topic.objects.annotate(has_topic=Exists(later)):
        print(topic.has_topic)


def case_posts_on_the_same_board_counted():
    for topic in Topic.objects.all():
        print(Post.objects.filter(topic__board_id=topic.board_id).count())  # expect: DJP104


def case_posts_on_the_same_board_annotated():
    posts = Post.objects.filter(topic__board_id=OuterRef("board_id"))
    counted = posts.order_by().values("topic__board_id").annotate(n=Count("pk")).values("n")
    for topic in Topic.objects.annotate(post_count=Coalesce(Subquery(counted), 0)):
        print(topic.post_count)


def case_topics_of_the_board_counted():
    for board in Board.objects.all():
        print(Topic.objects.filter(board=board, position__gte=0).count())  # expect: DJP104


def case_topics_of_the_board_annotated():
    from django.db.models import Q

    for board in Board.objects.annotate(topics_count=Count("topics", filter=Q(topics__position__gte=0))):
        print(board.topics_count)


def case_pairs_that_are_not_rows():
    pairs = [(board.name, board) for board in Board.objects.all()]
    for name, board in pairs:
        print(name, Topic.objects.filter(board=board).count())  # expect: DJP104


def case_pairs_counted_once():
    pairs = [(board.name, board) for board in Board.objects.all()]
    boards = [board for _, board in pairs]
    counts = dict(Topic.objects.filter(board__in=boards).values_list("board").annotate(n=Count("pk")))
    for name, board in pairs:
        print(name, counts.get(board.pk, 0))


def case_rows_a_previous_query_found():
    for title in Topic.objects.values_list("title", flat=True):
        topic = Topic.objects.get(title=title)  # expect: DJP104
        print(Post.objects.filter(topic=topic, created__gte=0).exists())  # expect: DJP104


def case_rows_a_previous_query_found_collected_once():
    titles = list(Topic.objects.values_list("title", flat=True))
    topics = {t.title: t for t in Topic.objects.filter(title__in=titles)}
    found = set(Post.objects.filter(created__gte=0, topic__in=list(topics.values())).values_list("topic", flat=True))
    for title in titles:
        print(topics[title].pk in found)


def case_pairs_counted_through_a_path():
    pairs = [(board.name, board) for board in Board.objects.all()]
    for name, board in pairs:
        print(name, Post.objects.filter(topic__board=board).count())  # expect: DJP104


def case_pairs_counted_through_a_path_once():
    pairs = [(board.name, board) for board in Board.objects.all()]
    boards = [board for _, board in pairs]
    counts = dict(Post.objects.filter(topic__board__in=boards).values_list("topic__board").annotate(n=Count("pk")))
    for name, board in pairs:
        print(name, counts.get(board.pk, 0))

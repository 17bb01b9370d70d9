"""False-positive class 6: a deferred field read only where `hasattr(self, "<name>")` fails,
on rows of a queryset that annotates `<name>`: the branch never runs, nothing is loaded per
row. The same rows without the annotation do read the deferred field."""

from django.db.models import Count, Prefetch

from board.models import Board, Topic


def case_deferred_field_behind_hasattr_of_an_annotation():
    topics = Topic.objects.only("id", "title").annotate(post_total=Count("posts"))
    for topic in topics:
        print(topic.label(), topic.short_label(), topic.count_or_summary())


def case_deferred_field_without_the_annotation():
    for topic in Topic.objects.only("id", "title"):
        print(topic.label())  # expect: DJP202


def case_deferred_field_under_another_annotation():
    topics = Topic.objects.only("id", "title").annotate(reply_total=Count("posts__replies"))
    for topic in topics:
        print(topic.short_label())  # expect: DJP202


def case_query_behind_hasattr_of_a_prefetch_to_attr():
    # `hasattr(board, "ordered_topics")` holds on rows of `Prefetch(to_attr="ordered_topics")`
    boards = Board.objects.prefetch_related(
        Prefetch("topics", queryset=Topic.objects.order_by("pk"), to_attr="ordered_topics")
    )
    for board in boards:
        print(board.ordered_topic_titles())


def case_query_behind_hasattr_without_the_to_attr():
    for board in Board.objects.all():
        print(board.ordered_topic_titles())  # expect: DJP102

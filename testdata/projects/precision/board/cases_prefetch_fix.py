"""Where a prefetch fix may go when the queryset already uses `Prefetch` objects.

Django takes the lookups in the order the calls are chained, and a plain lookup that reaches
`topics` before a `Prefetch("topics", queryset=...)` makes it raise "'topics' lookup was
already seen with a different queryset". So the fix goes after every `Prefetch` (and after
every custom method, which may add one), and it reaches the rows of a
`Prefetch(..., to_attr="topic_list")` through `topic_list__...`. scripts/test.d/fix-oracle
applies the fixes and has Django run the fixed cases.

A `Prefetch` added by a custom queryset method or held in a variable is read like one written
in the call: what its queryset loads is known, so a relation below `topics` it does not load
is claimed missing.
"""

from django.db.models import Prefetch

from board.models import Board, Post, Topic


def case_lookup_through_prefetch_in_the_same_call():
    boards = Board.objects.prefetch_related(Prefetch("topics", queryset=Topic.objects.filter(position__gte=0)))
    for board in boards:
        for topic in board.topics.all():
            print(list(topic.posts.all()))  # expect: DJP102


def case_prefetch_chained_after_a_plain_lookup():
    boards = Board.objects.prefetch_related("flags")  # expect: DJP106
    boards = boards.prefetch_related(Prefetch("topics", queryset=Topic.objects.filter(position__gte=0)))
    for board in boards:
        for topic in board.topics.all():
            print(list(topic.posts.all()))  # expect: DJP102


def case_custom_method_adds_the_prefetch():
    for board in Board.objects.prefetch_related("flags").with_topics():
        print(len(board.flags.all()))
        for topic in board.topics.all():
            print(list(topic.posts.all()))  # expect: DJP102


def case_custom_method_then_filter():
    for board in Board.objects.prefetch_related("flags").with_topics().filter(name__gt=""):
        print(len(board.flags.all()))
        for topic in board.topics.all():
            print(list(topic.posts.all()))  # expect: DJP102


def case_prefetch_object_in_a_variable():
    by_position = Prefetch("topics", queryset=Topic.objects.filter(position__gte=0))
    boards = Board.objects.prefetch_related("flags")  # expect: DJP106
    boards = boards.prefetch_related(by_position)
    for board in boards:
        for topic in board.topics.all():
            print(list(topic.posts.all()))  # expect: DJP102


def case_rows_of_a_to_attr_list():
    boards = Board.objects.prefetch_related(
        Prefetch("topics", queryset=Topic.objects.filter(position__gte=0), to_attr="topic_list")
    )
    for board in boards:
        for topic in board.topic_list:
            print(list(topic.posts.all()))  # expect: DJP102


def case_rows_of_a_to_attr_list_prefetched():
    boards = Board.objects.prefetch_related(
        Prefetch("topics", queryset=Topic.objects.filter(position__gte=0), to_attr="topic_list"),
        "topic_list__posts",
    )
    for board in boards:
        for topic in board.topic_list:
            print(list(topic.posts.all()))


def case_manager_beside_a_to_attr_list():
    boards = Board.objects.prefetch_related(
        Prefetch("topics", queryset=Topic.objects.filter(position__gte=0), to_attr="topic_list")
    )
    for board in boards:
        print(len(board.topic_list), list(board.topics.all()))  # expect: DJP102


def case_lookup_through_a_prefetch_that_leaves_columns_out():
    topics = Topic.objects.prefetch_related(Prefetch("posts", queryset=Post.objects.only("id", "topic", "body")))
    for topic in topics:
        for post in topic.posts.all():
            print(post.body, list(post.replies.all()))  # expect: DJP102

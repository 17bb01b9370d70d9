"""False-positive class 2: calls on a prefetched relation that Django serves from the prefetch
cache, beside the ones that query (../../library/PREFETCH_CACHE.md has the table).

`.first()` reads the cache when the cached queryset is ordered: by `Meta.ordering` (inherited
from an abstract base too) or by the related model's default manager, which related managers
are built on. `.last()` always reverses the ordering, a clone that queries. Generic relations
(`GenericRelation`) keep their prefetch cache like a reverse foreign key.
"""

from board.models import Board, Topic


def case_first_ordered_by_abstract_base():
    for board in Board.objects.prefetch_related("topics"):
        print(board.topics.first())


def case_last_ordered_by_abstract_base():
    for board in Board.objects.prefetch_related("topics"):
        print(board.topics.last())  # expect: DJP103


def case_first_ordered_by_manager():
    for topic in Topic.objects.prefetch_related("posts"):
        print(topic.posts.first())


def case_count_prefetched():
    for topic in Topic.objects.prefetch_related("posts"):
        print(topic.posts.count(), topic.posts.all().count())


def case_first_unordered():
    for topic in Topic.objects.prefetch_related("posts__replies"):
        for post in topic.posts.all():
            print(post.replies.first())  # expect: DJP103


def case_generic_first_ordered():
    for board in Board.objects.prefetch_related("notes"):
        print(board.notes.first())


def case_generic_count():
    for board in Board.objects.prefetch_related("notes", "flags"):
        print(board.notes.count(), board.flags.count(), board.flags.exists())


def case_generic_first_unordered():
    for board in Board.objects.prefetch_related("flags"):
        print(board.flags.first())  # expect: DJP103


def case_generic_last():
    for board in Board.objects.prefetch_related("notes"):
        print(board.notes.last())  # expect: DJP103


def case_generic_filter():
    for board in Board.objects.prefetch_related("notes"):
        print(list(board.notes.filter(text__startswith="a")))  # expect: DJP103


def case_generic_not_prefetched():
    for board in Board.objects.all():
        print(board.notes.count())  # expect: DJP102

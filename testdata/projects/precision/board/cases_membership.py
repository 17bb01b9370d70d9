"""False-positive class 5: `x in qs` (and iterating, `len()`) in a loop, where `qs` is bound to
a variable before the loop, runs one query: the first iteration fills the queryset's result
cache and the others read it. A queryset built inside the loop queries on every iteration."""

from board.models import Board, Topic


def case_in_a_queryset_bound_before_the_loop():
    early = Topic.objects.filter(position__lte=0)
    for board in Board.objects.prefetch_related("topics"):
        for topic in board.topics.all():
            if topic in early:
                print(topic.title)
            if topic not in early:
                print(board.name)


def case_iterated_and_counted_inside_the_loop():
    early = Topic.objects.filter(position__lte=0)
    for board in Board.objects.all():
        print(board.name, len(early), [t.title for t in early])


def case_in_a_queryset_built_in_the_loop():
    for board in Board.objects.prefetch_related("topics"):
        for topic in board.topics.all():
            if topic in Topic.objects.filter(position__lte=0):  # expect: DJP104
                print(topic.title)


def case_bound_in_the_outer_loop():
    for board in Board.objects.all():
        mine = Topic.objects.filter(board=board)
        for other in Board.objects.all():  # expect: DJP104
            if other.pk in [t.board_id for t in mine]:  # expect: DJP104
                print(other.name)

"""A query that reads nothing the loop binds gives the same answer on every iteration: the
help says to run it once before the loop (or, in a method the loop calls, to pass it in),
not to fetch it with `__in` for every value. tests/snapshots records the wording."""

from board.models import Board, Topic


def case_same_query_every_row():
    for topic in Topic.objects.all():
        first = Board.objects.filter(name__gt="").order_by("pk").first()  # expect: DJP104
        print(topic.title, first.pk)


def case_same_query_hoisted():
    first = Board.objects.filter(name__gt="").order_by("pk").first()
    for topic in Topic.objects.all():
        print(topic.title, first.pk)


def case_same_query_in_a_method_per_row():
    for topic in Topic.objects.all():
        print(topic.default_board_name())  # expect: DJP104


def case_query_of_the_row_in_a_method():
    for board in Board.objects.all():
        print(board.first_topic_title())  # expect: DJP104


def case_state_changed_in_place():
    state = {"pos": 0}
    for topic in Topic.objects.all():
        state["pos"] += 1
        print(topic.title, Board.objects.filter(pk=state["pos"]).first())  # expect: DJP104


def case_same_query_after_a_write():
    for topic in Topic.objects.all():
        Board.objects.create(name=topic.title)  # expect: DJP104
        print(Board.objects.filter(name__gt="").count())  # expect: DJP104


def case_list_grown_in_the_loop():
    seen = []
    for topic in Topic.objects.all():
        seen.append(topic.board_id)
        print(Board.objects.filter(pk__in=seen).count())  # expect: DJP104

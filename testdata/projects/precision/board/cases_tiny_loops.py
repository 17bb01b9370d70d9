"""False-positive class 4: loops that run a fixed, tiny number of times (a literal slice of at
most three rows, a lookup on a literal list of at most three keys, a literal tuple, a registry
of one entry) cost a few queries in all, not one per row of the table. Beside them, the same
loops over a number of rows that grows with the data."""

from board.models import Board, Note, Topic

REGISTRY = {"board": Board}
handlers = {"topic": Topic}


def case_literal_slice():
    for topic in Topic.objects.all()[:2]:
        print(topic.board.name)


def case_literal_slice_listed():
    latest = list(Topic.objects.order_by("-pk")[:3])
    for topic in latest:
        print(topic.board.name)


def case_pk_in_literal_list():
    for topic in Topic.objects.filter(pk__in=[1, 2]):
        print(topic.board.name)


def case_literal_tuple_of_names():
    for name in ("board", "topic"):
        print(Note.objects.filter(text=name).count())


def case_one_entry_registry():
    for model in REGISTRY.values():
        print(model.objects.count())
    for model in handlers.values():
        print(model.objects.count())


def case_wide_slice():
    for topic in Topic.objects.all()[:10]:
        print(topic.board.name)  # expect: DJP101


def case_open_slice():
    for topic in Topic.objects.all()[1:]:
        print(topic.board.name)  # expect: DJP101


def case_pk_in_computed_list():
    ids = list(Topic.objects.values_list("pk", flat=True))
    for topic in Topic.objects.filter(pk__in=ids):
        print(topic.board.name)  # expect: DJP101


def case_rows_under_a_literal_slice():
    for board in Board.objects.all()[:2]:
        for topic in Topic.objects.exclude(board=board):
            print(topic.board.name)  # expect: DJP101

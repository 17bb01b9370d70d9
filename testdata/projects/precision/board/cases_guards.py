"""False-positive class 3: a relation prefetched under the same condition that guards its
read. `if not readonly: boards = boards.prefetch_related("topics")` and a method that reads
`topics` only `if not readonly` load the rows on exactly the calls that read them."""

from django.conf import settings

from board.models import Board


def case_prefetch_under_the_guard_of_the_read():
    readonly = settings.DEBUG
    boards = Board.objects.all()
    if not readonly:
        boards = boards.prefetch_related("topics")
    for board in boards:
        print(board.topic_titles(readonly=readonly))


def case_prefetch_under_the_guard_through_a_method():
    readonly = settings.DEBUG
    boards = Board.objects.all()
    if not readonly:
        boards = boards.prefetch_related("topics")
    for board in boards:
        print(board.summary(readonly))


def case_prefetch_under_the_negated_early_return():
    brief = settings.DEBUG
    boards = Board.objects.all()
    if not brief:
        boards = boards.prefetch_related("notes")
    for board in boards:
        print(board.note_texts(brief))


def case_prefetch_under_another_guard():
    readonly = settings.DEBUG
    boards = Board.objects.all()
    if readonly:
        boards = boards.prefetch_related("topics")
    for board in boards:
        print(board.topic_titles(readonly=readonly))  # expect: DJP102


def case_guarded_read_with_default_argument():
    readonly = settings.DEBUG
    boards = Board.objects.all()
    if readonly:
        boards = boards.prefetch_related("topics")
    for board in boards:
        print(board.topic_titles())  # expect: DJP102

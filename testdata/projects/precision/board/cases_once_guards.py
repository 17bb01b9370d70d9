"""A query behind a guard that the loop sets runs once for the whole loop, not once per row:
the branch taken while a variable is unset, when it sets it (`if x: ... else: x = ...`,
`if x is not None: ... else: x = ...`), and a flag that its own branch clears (`if first:
...; first = False`). A variable bound again in the loop before the test, or an attribute of
the loop's row, is unset on every iteration: those queries are per row."""

from board.models import Board, Topic


def case_set_in_the_else_branch():
    board = None
    for topic in Topic.objects.all():
        if board:
            print(board.name, topic.title)
        else:
            board = Board.objects.get(pk=topic.board_id)


def case_set_in_the_else_of_is_not_none():
    board = None
    for topic in Topic.objects.all():
        if board is not None:
            print(board.name, topic.title)
        else:
            board = Board.objects.order_by("pk").first()


def case_flag_cleared_by_its_branch():
    first = True
    for topic in Topic.objects.all():
        if first:
            print(Board.objects.get(pk=topic.board_id).name)
            first = False
        print(topic.title)


def case_reset_at_the_top_of_the_body():
    for topic in Topic.objects.all():
        board = None
        if board is None:
            board = Board.objects.get(pk=topic.board_id)  # expect: DJP104
        print(board.name)


def case_attribute_of_the_row():
    for topic in Topic.objects.all():
        topic.board_name = ""
        if topic.board_name:
            print(topic.board_name)
        else:
            topic.board_name = Board.objects.get(pk=topic.board_id).name  # expect: DJP104


def case_flag_set_again_by_the_branch():
    first = True
    for topic in Topic.objects.all():
        if first:
            print(Board.objects.get(pk=topic.board_id).name)  # expect: DJP104
            first = topic.title

"""Querysets combined with `|`, `&` and `^`: Django builds the result on a copy of the left
operand, so its `select_related()`/`prefetch_related()` are the result's and the right
operand's are dropped; `none() | qs` is `qs` (wagtail's `pages |= Page.objects.filter(...)`
accumulated in a loop)."""

from board.models import Board, Topic


def case_or_of_plain_querysets():
    for topic in Topic.objects.filter(position__lt=1) | Topic.objects.filter(position__gte=1):
        print(topic.board.name)  # expect: DJP101


def case_or_with_select_related_on_the_left():
    for topic in Topic.objects.select_related("board").filter(position__lt=1) | Topic.objects.filter(position__gte=1):
        print(topic.board.name)


def case_or_with_select_related_on_the_right_only():
    for topic in Topic.objects.filter(position__lt=1) | Topic.objects.select_related("board").filter(position__gte=1):
        print(topic.board.name)  # expect: DJP101


def case_and_with_select_related_on_the_left():
    for topic in Topic.objects.select_related("board") & Topic.objects.filter(position__gte=0):
        print(topic.board.name)


def case_or_accumulated_in_a_loop():
    topics = Topic.objects.none()
    for board in Board.objects.all():
        topics |= Topic.objects.filter(board_id=board.pk)
    for topic in topics:
        print(topic.board.name)  # expect: DJP101


def case_or_accumulated_in_a_loop_selected():
    topics = Topic.objects.none()
    for board in Board.objects.all():
        topics |= Topic.objects.select_related("board").filter(board_id=board.pk)
    for topic in topics:
        print(topic.board.name)

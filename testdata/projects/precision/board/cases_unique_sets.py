"""False-positive class: a queryset filtered for equality on every column of a composite
uniqueness (`Meta.unique_together`, `UniqueConstraint(fields=...)`) holds one row at most, so a
loop over it reads its relations once, not once per row of the table. The reverse manager's
parent key counts as one of the columns. Beside them, the same loops over a filter that covers
only part of a key."""

from board.models import Badge, Board, Owner


def case_unique_together_pinned():
    board = Board.objects.order_by("pk").first()
    for badge in Badge.objects.filter(board=board, code="Badge code 0"):
        print(badge.owner.name)


def case_unique_together_by_key_attname():
    board = Board.objects.order_by("pk").first()
    for badge in Badge.objects.filter(board_id=board.pk).filter(code__exact="Badge code 0"):
        print(badge.owner.name)


def case_unique_together_through_reverse_manager():
    for board in Board.objects.order_by("pk")[:1]:
        for badge in board.badges.filter(code="Badge code 0"):
            print(badge.owner.name)


def case_unique_constraint_pinned():
    owner = Owner.objects.order_by("pk").first()
    for badge in Badge.objects.filter(owner=owner, label="Badge label 0"):
        print(badge.board.name)


def case_part_of_the_key():
    codes = list(Badge.objects.values_list("code", flat=True))
    for badge in Badge.objects.filter(code__in=codes):
        print(badge.owner.name)  # expect: DJP101


def case_key_column_with_a_range():
    board = Board.objects.order_by("pk").first()
    for badge in Badge.objects.filter(board__pk__gte=board.pk, code__startswith="Badge"):
        print(badge.board.name)  # expect: DJP101


def case_union_of_pinned_rows():
    # each operand holds one row; the union accumulated in the loop holds one per board
    badges = Badge.objects.none()
    for board in Board.objects.all():
        badges |= Badge.objects.filter(board=board, code=f"Badge code {board.pk - 1}")
    for badge in badges:
        print(badge.owner.name)  # expect: DJP101


def case_intersection_with_a_pinned_row():
    board = Board.objects.order_by("pk").first()
    pinned = Badge.objects.filter(board=board, code="Badge code 0")
    for badge in Badge.objects.all() & pinned:
        print(badge.owner.name)

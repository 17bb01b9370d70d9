"""Custom queryset methods defined in a plain mixin of the queryset class keep the queryset:
`recent()` returns a chain on `self`, `marked()` a clone with an attribute set (what its rows
load is then not known, so no relation read on them is claimed; a query per iteration still
is)."""

from board.models import Badge, Board


def case_mixin_chain_in_a_loop():
    for board in Board.objects.all():
        print(list(Badge.objects.filter(board=board).recent()))  # expect: DJP104


def case_mixin_chain_rows_read_a_relation():
    for badge in Badge.objects.recent():
        print(badge.owner.name)  # expect: DJP101


def case_mixin_chain_rows_joined():
    for badge in Badge.objects.select_related("owner").recent():
        print(badge.owner.name)


def case_marked_clone_in_a_loop():
    for board in Board.objects.all():
        for badge in Badge.objects.filter(board=board).marked():  # expect: DJP104
            print(badge.code)


def case_marked_clone_rows_joined():
    for badge in Badge.objects.select_related("owner").marked():
        print(badge.owner.name)


def case_marked_clone_in_a_comprehension():
    by_board = [
        (board, {badge.code: badge for badge in Badge.objects.filter(board=board).marked(flag=False)})  # expect: DJP104
        for board in Board.objects.all()
    ]
    print(by_board)

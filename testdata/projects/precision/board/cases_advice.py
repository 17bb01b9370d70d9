"""The help of DJP104/DJP105 fits the code: in_bulk() only for lookups by primary key (or one
unique field), upserts for get_or_create/update_or_create, and no update()/bulk advice that
would skip an overridden save(). tests/snapshots records the wording."""

from board.models import Board, Flag, Reply, Topic


def case_get_by_primary_key_in_loop():
    for topic in Topic.objects.all():
        print(Board.objects.get(pk=topic.board_id).name)  # expect: DJP104


def case_lookup_by_a_plain_field_in_loop():
    for board in Board.objects.all():
        print(Topic.objects.filter(title=board.name).first())  # expect: DJP104


def case_update_or_create_in_loop():
    for board in Board.objects.all():
        Topic.objects.update_or_create(board=board, title="pinned", defaults={"position": 1})  # expect: DJP104


def case_save_overridden_in_loop():
    for reply in Reply.objects.all():
        reply.text = reply.text + " "
        reply.save()  # expect: DJP105


def case_count_per_row():
    for board in Board.objects.all():
        print(Topic.objects.filter(board=board).count())  # expect: DJP104


def case_exists_per_row():
    for board in Board.objects.all():
        print(Topic.objects.filter(board=board, position__gt=0).exists())  # expect: DJP104


def case_get_by_primary_key_and_a_filter_in_loop():
    for topic in Topic.objects.all():
        print(Board.objects.get(name__gt="", pk=topic.board_id).name)  # expect: DJP104


def case_delete_over_a_slice():
    # Django refuses `.delete()` on the slice itself: the help deletes by the slice's keys
    flags = Flag.objects.order_by("pk")
    for flag in flags[: flags.count() - 1]:
        flag.delete()  # expect: DJP105


def case_delete_by_the_keys_of_a_slice():
    # the help's rewrite of the case above: one DELETE whatever the number of rows
    flags = Flag.objects.order_by("pk")
    pks = list(flags[: flags.count() - 1].values_list("pk", flat=True))
    Flag.objects.filter(pk__in=pks).delete()

"""Seeding hooks for scripts/oracle (see testdata/projects/README.md)."""

from django.contrib.contenttypes.models import ContentType

from board.models import Board, Component, Flag, Note, Owner

GENERIC = True
LEAVE_NULL = {"board.Component.owner"}


def seed(n):
    # Every board gets two notes and two flags through its generic relations.
    board_type = ContentType.objects.get_for_model(Board)
    Note.objects.all().delete()
    Flag.objects.all().delete()
    for board in Board.objects.all():
        for i in range(2):
            Note.objects.create(content_type=board_type, object_id=board.pk, text=f"note {i}")  # noqa: DJP104 (seeding)
            Flag.objects.create(content_type=board_type, object_id=board.pk, reason=f"flag {i}")  # noqa: DJP104 (seeding)
    # Every component but the first has an owner.
    owners = list(Owner.objects.order_by("pk"))
    for i, component in enumerate(Component.objects.order_by("pk")):
        if i:
            component.owner = owners[i % len(owners)]
            component.save()  # noqa: DJP105 (seeding)

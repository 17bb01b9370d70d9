"""Seeding hooks for scripts/oracle (see testdata/projects/README.md)."""

from tickets.models import Event, Order, Organizer, Quota, Voucher

GENERIC = True
LEAVE_NULL = {"tickets.Order.referrer"}


def seed(n):
    # Everything happens at the first event (`/main/...`) of the first organizer (`/org/...`):
    # its pages list n quotas and n orders, and the organizer has every event.
    first = Event.objects.order_by("pk").first()
    org = Organizer.objects.order_by("pk").first()
    Organizer.objects.filter(pk=org.pk).update(slug="org")
    Event.objects.update(organizer=org)
    Event.objects.filter(pk=first.pk).update(slug="main")
    Quota.objects.update(event=first)
    Order.objects.update(event=first)
    Voucher.objects.update(event=first)

from tickets.loading import maybe_prefetch_related, maybe_select_related
from tickets.models import Order


def case_orders_maybe_joined():
    # the helper joins what it is asked to on every queryset of model rows
    for order in maybe_select_related(Order.objects.all(), ["customer"]):
        print(order.code, order.customer.name)


def case_orders_joined_elsewhere():
    for order in maybe_select_related(Order.objects.all(), ["event"]):
        print(order.code, order.event.name, order.customer.name)  # todo-expect: DJP101


def case_orders_maybe_prefetched():
    for order in maybe_prefetch_related(Order.objects.all(), ["customer"]):
        print(order.code, order.customer.name)


def joined_fields(names):
    """The relations among `names` that the order rows should join."""
    return [n for n in names if n in ("customer", "event")]


def case_orders_joined_when_asked():
    # the helper runs only when there is something to join: the rows join `customer`
    rows = Order.objects.order_by("code")
    fields = joined_fields(["customer"])
    if fields:
        rows = maybe_select_related(rows, fields)
    for order in rows:
        print(order.code, order.customer.name)

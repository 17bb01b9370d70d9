from tickets.models import Order


def case_orders_without_referrer():
    # the key is null on every row: reading the relation gives None without a query
    for order in Order.objects.filter(referrer__isnull=True):
        print(order.code, order.referrer)


def case_orders_with_customer():
    for order in Order.objects.filter(referrer__isnull=True):
        print(order.code, order.customer.name)  # expect: DJP101

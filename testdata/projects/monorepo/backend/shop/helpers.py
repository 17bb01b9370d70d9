from shop.models import Order


def describe(order: Order) -> str:
    return f"{order.number} for {order.customer.name}"

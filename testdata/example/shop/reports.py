"""Reports a shop might run; some are slow in the classic ways."""
from django.db.models import Count, Prefetch

from .models import Customer, Order, OrderLine, Product


def order_summary():
    rows = []
    for order in Order.objects.filter(paid=True):
        rows.append((order.customer.name, order.created))  # expect: DJP101
    return rows


def order_summary_fast():
    rows = []
    for order in Order.objects.filter(paid=True).select_related("customer"):
        rows.append((order.customer.name, order.created))
    return rows


def catalogue():
    out = []
    for product in Product.objects.all():
        tags = ", ".join(t.name for t in product.tags.all())  # expect: DJP102
        out.append(f"{product.name} [{product.category.name}] {tags}")  # expect: DJP101
    return out


def catalogue_fast():
    out = []
    for product in Product.objects.select_related("category").prefetch_related("tags"):
        tags = ", ".join(t.name for t in product.tags.all())
        out.append(f"{product.name} [{product.category.name}] {tags}")
    return out


def line_items(order_ids):
    for line in OrderLine.objects.filter(order_id__in=order_ids):
        print(line.order.customer.email, line.quantity)  # expect: DJP101


def customer_order_counts():
    return {c.name: c.orders.count() for c in Customer.objects.all()}  # expect: DJP102


def customer_order_counts_fast():
    return {c.name: c.n for c in Customer.objects.annotate(n=Count("orders"))}


def paid_lines(customers):
    for customer in Customer.objects.prefetch_related("orders"):
        paid = customer.orders.filter(paid=True)  # expect: DJP103
        print(customer.name, len(paid))


def paid_lines_fast():
    paid = Prefetch("orders", queryset=Order.objects.filter(paid=True), to_attr="paid_orders")
    for customer in Customer.objects.prefetch_related(paid):
        print(customer.name, len(customer.paid_orders))


def import_prices(rows):
    for row in rows:
        product = Product.objects.get(pk=row["id"])  # expect: DJP104
        product.price = row["price"]
        product.save()


def mark_paid():
    for order in Order.objects.filter(paid=False):
        order.paid = True
        order.save()  # expect: DJP105


def mark_paid_fast():
    Order.objects.filter(paid=False).update(paid=True)

"""Imports relative to backend/ (where manage.py is), not to the repository root."""

from django.contrib.auth import models as auth_models

from shop import helpers
from shop.helpers import describe
from shop.models import Order, OrderLine


def case_helper_reads_relation_in_loop():
    for order in Order.objects.all():
        print(describe(order))  # expect: DJP101


def case_helper_reads_joined_relation():
    for order in Order.objects.select_related("customer"):
        print(describe(order))


def case_module_helper_in_loop():
    for order in Order.objects.filter(number__isnull=False):
        print(helpers.describe(order))  # expect: DJP101


def case_default_reverse_accessor_in_loop():
    for order in Order.objects.all():
        print(sum(line.quantity for line in order.orderline_set.all()))  # expect: DJP102


def case_default_reverse_accessor_prefetched():
    for order in Order.objects.prefetch_related("orderline_set"):
        print(sum(line.quantity for line in order.orderline_set.all()))


def case_contrib_user_through_module_alias_in_loop():
    for user in auth_models.User.objects.all():
        print([c.name for c in user.customer_set.all()])  # expect: DJP102


def case_contrib_user_through_module_alias_prefetched():
    for user in auth_models.User.objects.prefetch_related("customer_set"):
        print([c.name for c in user.customer_set.all()])


def case_line_order_in_loop():
    for line in OrderLine.objects.all():
        print(line.order.customer.name)  # expect: DJP101


def case_line_order_joined():
    for line in OrderLine.objects.select_related("order__customer"):
        print(line.order.customer.name)

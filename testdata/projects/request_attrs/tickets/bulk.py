"""A base view whose loop calls a per-row hook that each concrete view implements."""

from django.http import HttpResponse
from django.views import View

from tickets.context import EventMixin


class OrderReportView(EventMixin, View):
    def rows(self):
        return self.request.event.orders.order_by("code")

    def describe(self, order):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        lines = []
        for order in self.rows():
            lines.append(self.describe(order))  # expect: DJP101
        return HttpResponse("\n".join(lines))


# oracle: get /main/report/customers/ also=tickets/bulk.py:OrderReportView
class CustomerReportView(OrderReportView):
    def describe(self, order):
        return f"{order.code}: {order.customer.name}"


# oracle: get /main/report/codes/
class CodeReportView(OrderReportView):
    def describe(self, order):
        return order.code

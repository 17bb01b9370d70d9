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


# `len(rows)` counts the rows the hook already iterated (their cache): no second query.
# oracle: get /main/export/codes/
class OrderExportView(EventMixin, View):
    def rows(self):
        raise NotImplementedError

    def export(self, rows):
        codes = [order.code for order in rows]
        return ", ".join(codes)

    def get(self, request, *args, **kwargs):
        rows = self.rows()
        text = self.export(rows)
        for label in ("Orders", "Codes"):
            text = f"{label}: {text}"
        return HttpResponse(f"{text} ({len(rows)})")


class CodeExportView(OrderExportView):
    def rows(self):
        return self.request.event.orders.order_by("code")

    def export(self, rows):
        return "codes " + super().export(rows)

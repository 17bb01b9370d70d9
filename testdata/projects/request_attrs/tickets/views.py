"""Views reading rows through what the project set on the request (see `tickets/context.py`)."""

from django.http import HttpResponse
from django.views.generic import ListView
from rest_framework import generics

from tickets.context import (
    EventAPIMixin,
    EventMixin,
    event_scope,
    event_view,
    organizer_scope,
    showcase_view,
)
from tickets.filters import sized_only
from tickets.models import Voucher
from tickets.serializers import (
    AnnotatedVoucherUseSerializer,
    QuotaSerializer,
    VoucherSerializer,
    VoucherUseSerializer,
)


# oracle: get /main/quotas/
@event_view
def quota_items(request, event):
    out = []
    for quota in request.event.quotas.all():
        out.append(", ".join(i.name for i in quota.items.all()))  # expect: DJP102
    return HttpResponse("; ".join(out))


# oracle: get /main/quotas-prefetched/
@event_view
def quota_items_prefetched(request, event):
    out = []
    for quota in request.event.quotas.prefetch_related("items"):
        out.append(", ".join(i.name for i in quota.items.all()))
    return HttpResponse("; ".join(out))


# oracle: get /main/sibling-quotas/
@event_view
def sibling_quota_counts(request, event):
    # `request.organizer` is `request.event.organizer` (set in the same decorator)
    counts = [e.quotas.count() for e in request.organizer.events.all()]  # expect: DJP102
    return HttpResponse(str(counts))


# oracle: get /main/orders/
class OrderListView(EventMixin, ListView):
    template_name = "tickets/order_list.html"

    def get_queryset(self):
        return self.request.event.orders.all()  # expect: DJP130


# oracle: get /main/orders-joined/
class OrderListJoinedView(EventMixin, ListView):
    template_name = "tickets/order_list.html"

    def get_queryset(self):
        return self.request.event.orders.select_related("customer")


# oracle: get /api/main/quotas/
class QuotaList(EventAPIMixin, generics.ListAPIView):
    serializer_class = QuotaSerializer

    def get_queryset(self):
        return self.request.event.quotas.all()  # expect: DJP111


# oracle: get /api/main/quotas-prefetched/
class QuotaListPrefetched(EventAPIMixin, generics.ListAPIView):
    serializer_class = QuotaSerializer

    def get_queryset(self):
        return self.request.event.quotas.prefetch_related("items")


# oracle: get /main/showcase/
@showcase_view
def showcase_customers(request, event):
    # every assignment of `request.showcase` prefetches `orders__customer`
    names = [o.customer.name for o in request.showcase.orders.all()]
    return HttpResponse(", ".join(names))


# oracle: get /org/scope-events/
@organizer_scope
def scope_events(request, slug):
    names = [e.name for e in request.scope.events.all()]
    return HttpResponse(", ".join(names))


# oracle: get /main/scope-orders/
@event_scope
def scope_orders(request, slug):
    # `request.scope` is an Organizer elsewhere: djperf does not claim what it is here
    names = [o.customer.name for o in request.scope.orders.all()]  # todo-expect: DJP101
    return HttpResponse(", ".join(names))


# The rows pass through a helper that returns them filtered.
# oracle: get /api/main/quotas-sized/
class SizedQuotaList(EventAPIMixin, generics.ListAPIView):
    serializer_class = QuotaSerializer

    def get_queryset(self):
        return sized_only(self.request.event.quotas.all(), self.request)  # expect: DJP111


# oracle: get /api/main/quotas-sized-prefetched/
class SizedQuotaListPrefetched(EventAPIMixin, generics.ListAPIView):
    serializer_class = QuotaSerializer

    def get_queryset(self):
        return sized_only(self.request.event.quotas.prefetch_related("items"), self.request)


# `used` is a model method that counts: one query per voucher
# oracle: get /api/main/vouchers/ also=tickets/serializers.py:VoucherSerializer
class VoucherList(EventAPIMixin, generics.ListAPIView):
    serializer_class = VoucherSerializer

    def get_queryset(self):
        return self.request.event.vouchers.all()


# a helper annotates `used` onto the rows: the method is not run
# oracle: get /api/main/vouchers-annotated/
class AnnotatedVoucherList(EventAPIMixin, generics.ListAPIView):
    serializer_class = VoucherSerializer

    def get_queryset(self):
        return Voucher.annotate_used(self.request.event.vouchers.all())


# `get_used()` returns the annotation when the rows carry it, else it counts
# oracle: get /api/main/voucher-uses/ also=tickets/serializers.py:VoucherUseSerializer
class VoucherUseList(EventAPIMixin, generics.ListAPIView):
    serializer_class = VoucherUseSerializer

    def get_queryset(self):
        return self.request.event.vouchers.order_by("code")


# oracle: get /api/main/voucher-uses-annotated/ also=tickets/serializers.py:AnnotatedVoucherUseSerializer
class AnnotatedVoucherUseList(EventAPIMixin, generics.ListAPIView):
    serializer_class = AnnotatedVoucherUseSerializer

    def get_queryset(self):
        return Voucher.objects.filter(event=self.request.event).order_by("code").with_used()

from django.urls import path

from tickets import bulk, views

urlpatterns = [
    path("<slug:event>/quotas/", views.quota_items),
    path("<slug:event>/quotas-prefetched/", views.quota_items_prefetched),
    path("<slug:event>/sibling-quotas/", views.sibling_quota_counts),
    path("<slug:event>/orders/", views.OrderListView.as_view()),
    path("<slug:event>/orders-joined/", views.OrderListJoinedView.as_view()),
    path("api/<slug:event>/quotas/", views.QuotaList.as_view()),
    path("api/<slug:event>/quotas-prefetched/", views.QuotaListPrefetched.as_view()),
    path("api/<slug:event>/quotas-sized/", views.SizedQuotaList.as_view()),
    path("api/<slug:event>/quotas-sized-prefetched/", views.SizedQuotaListPrefetched.as_view()),
    path("<slug:event>/showcase/", views.showcase_customers),
    path("<slug:slug>/scope-events/", views.scope_events),
    path("<slug:slug>/scope-orders/", views.scope_orders),
    path("api/<slug:event>/vouchers/", views.VoucherList.as_view()),
    path("api/<slug:event>/vouchers-annotated/", views.AnnotatedVoucherList.as_view()),
    path("api/<slug:event>/voucher-uses/", views.VoucherUseList.as_view()),
    path("api/<slug:event>/voucher-uses-annotated/", views.AnnotatedVoucherUseList.as_view()),
    path("<slug:event>/report/customers/", bulk.CustomerReportView.as_view()),
    path("<slug:event>/report/codes/", bulk.CodeReportView.as_view()),
    path("<slug:event>/export/codes/", bulk.CodeExportView.as_view()),
]

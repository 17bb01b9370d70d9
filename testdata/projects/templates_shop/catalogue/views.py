from django.apps import apps
from django.contrib.auth import get_user_model
from django.views.generic import DetailView, ListView

# Models loaded by label (django-oscar's get_model does the same).
Product = apps.get_model("catalogue", "product")
Range = apps.get_model("catalogue", "range")
User = get_user_model()


# oracle: get /catalogue/
class ProductListView(ListView):
    model = Product  # expect: DJP130


# oracle: get /catalogue/fast/
class FastProductListView(ListView):
    queryset = Product.objects.select_related("product_class")


# oracle: get /catalogue/ranges/
class RangeListView(ListView):
    model = Range  # expect: DJP131
    template_name = "catalogue/range_list.html"


# oracle: get /catalogue/ranges/fast/
class FastRangeListView(ListView):
    queryset = Range.objects.prefetch_related("classes")
    template_name = "catalogue/range_list.html"


# oracle: get /catalogue/customers/1/
class CustomerView(DetailView):
    model = User  # expect: DJP131
    context_object_name = "customer"
    template_name = "catalogue/customer.html"


# oracle: get /catalogue/customers/1/fast/
class FastCustomerView(DetailView):
    queryset = User.objects.prefetch_related("baskets__lines")
    context_object_name = "customer"
    template_name = "catalogue/customer.html"

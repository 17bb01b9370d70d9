from django.apps import apps
from django.views.generic import ListView

# Models loaded by label (django-oscar's get_model does the same).
Product = apps.get_model("catalogue", "product")


# oracle: get /catalogue/
class ProductListView(ListView):
    model = Product  # expect: DJP130


# oracle: get /catalogue/fast/
class FastProductListView(ListView):
    queryset = Product.objects.select_related("product_class")

"""Models reached through apps.get_model() and star imports."""

from django.apps import apps

from catalogue.models import *  # noqa: F403


def case_get_model_in_function():
    product_model = apps.get_model("catalogue.Product")
    for p in product_model.objects.all():
        print(p.product_class.name)  # expect: DJP101


def case_get_model_with_select_related():
    product_model = apps.get_model("catalogue", "Product")
    for p in product_model.objects.select_related("product_class"):
        print(p.product_class.name)


def case_star_imported_model():
    for p in Product.objects.all():  # noqa: F405
        print(p.product_class.name)  # expect: DJP101

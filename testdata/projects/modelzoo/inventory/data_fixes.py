"""Data-migration code outside `migrations/`: a `RunPython` function and a helper it calls
with the historical app registry. Upgrades of a distributed app run them over production
tables, so their loops are reported like any other (the models are historical: see
`catalog/upgrades.py` in the library project)."""

from django.apps import apps as registry


# oracle: migrate also=inventory/data_fixes.py:relink_shipments
def backfill_product_names(apps, schema_editor):
    Product = apps.get_model("inventory", "Product")
    for product in Product.objects.all():
        product.name = f"{product.supplier.name} {product.name}"  # expect: DJP101
        product.save()  # expect: DJP105
    relink_shipments(apps)


def relink_shipments(apps):
    Shipment = apps.get_model("inventory", "Shipment")
    for shipment in Shipment.objects.select_related("supplier"):

        def describe():
            return shipment.supplier.name

        print(describe(), shipment.checked_by.name)  # expect: DJP101


def case_registry_model_read_per_row():
    # The global registry at run time is no migration: this loop runs on every call.
    Product = registry.get_model("inventory", "Product")
    for product in Product.objects.all():
        print(product.supplier.name)  # expect: DJP101

"""Data-migration code outside `migrations/`: a `RunPython` function and a helper it calls
with the historical app registry. Both run once per deployment, over historical models, so
djperf does not report their loops (the `migrate` command is no request path)."""

from django.apps import apps as registry


def backfill_product_names(apps, schema_editor):
    Product = apps.get_model("inventory", "Product")
    for product in Product.objects.all():
        product.name = f"{product.supplier.name} {product.name}"
        product.save()
    relink_shipments(apps)


def relink_shipments(apps):
    Shipment = apps.get_model("inventory", "Shipment")
    for shipment in Shipment.objects.all():

        def describe():
            return shipment.supplier.name

        print(describe(), shipment.checked_by.name)


def case_registry_model_read_per_row():
    # The global registry at run time is no migration: this loop runs on every call.
    Product = registry.get_model("inventory", "Product")
    for product in Product.objects.all():
        print(product.supplier.name)  # expect: DJP101

"""Foreign keys declared with the project's own subclasses of ForeignKey."""

from inventory.models import Product, Shipment, Supplier


def case_custom_fk_subclass_read_per_row():
    for s in Shipment.objects.all():
        print(s.supplier.name)  # expect: DJP101


def case_custom_fk_subclass_selected():
    for s in Shipment.objects.select_related("supplier", "checked_by"):
        print(s.supplier.name, s.checked_by.name)


def case_custom_fk_derived_twice_read_per_row():
    for s in Shipment.objects.all():
        print(s.checked_by.name)  # expect: DJP101


def case_custom_fk_id_needs_no_query():
    for s in Shipment.objects.all():
        print(s.supplier_id, s.checked_by_id)


def case_plain_subclass_keeps_the_default_reverse_accessor():
    for p in Product.objects.all():
        print(list(p.shipment_set.all()))  # expect: DJP102


def case_self_named_reverse_accessor():
    # The field class picks the accessor's name at run time: djperf does not guess it.
    for supplier in Supplier.objects.all():
        print(list(supplier.shipment_by_supplier.all()))  # todo-expect: DJP102


def case_typed_foreign_key_read():
    for s in Shipment.objects.all():
        print(s.packer.name)  # expect: DJP101


def case_typed_foreign_key_selected():
    for s in Shipment.objects.select_related("packer"):
        print(s.packer.name)

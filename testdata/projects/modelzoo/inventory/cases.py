"""Relations declared in every shape Django allows, read per row and loaded properly."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from inventory.models import Comment, DiscontinuedProduct, Product, ProductProxy, Team


def case_fk_to_custom_user_from_abstract_parent():
    for p in Product.objects.all():
        print(p.created_by.username)  # expect: DJP101


def case_fk_to_custom_user_selected():
    for p in Product.objects.select_related("created_by"):
        print(p.created_by.username)


def case_reverse_accessor_named_with_class_placeholder():
    for user in get_user_model().objects.all():
        print(list(user.product_created.all()))  # expect: DJP102


def case_reverse_accessor_named_with_class_placeholder_prefetched():
    for user in get_user_model().objects.prefetch_related("product_created"):
        print(list(user.product_created.all()))


def case_default_related_name():
    for p in Product.objects.all():
        print([part.name for part in p.parts.all()])  # expect: DJP102


def case_default_related_name_prefetched():
    for p in Product.objects.prefetch_related("parts"):
        print([part.name for part in p.parts.all()])


def case_self_fk_id_needs_no_query():
    for p in Product.objects.all():
        print(p.parent_id)


def case_string_target_fk():
    for p in Product.objects.all():
        print(p.supplier.name)  # expect: DJP101


def case_from_queryset_method_selects():
    for p in Product.objects.with_supplier():
        print(p.supplier.name)


def case_multi_table_child_inherits_fk():
    for d in DiscontinuedProduct.objects.all():
        print(d.reason, d.supplier.name)  # expect: DJP101


def case_multi_table_child_selected():
    for d in DiscontinuedProduct.objects.select_related("supplier"):
        print(d.reason, d.supplier.name)


def case_multi_table_parent_link_read():
    # Django builds the parent from the child's own columns: no query per row
    for d in DiscontinuedProduct.objects.all():
        print(d.reason, d.product_ptr.name, d.product_ptr.pk)


def case_multi_table_parent_link_read_then_fk():
    # a relation of the parent object built from the child queries per row, and no
    # select_related() (not of "supplier", not of "product_ptr__supplier") serves it: the
    # code should read d.supplier instead; djperf claims nothing through a parent link
    for d in DiscontinuedProduct.objects.all():
        print(d.product_ptr.supplier.name)  # todo-expect: DJP101


def case_proxy_inherits_fk():
    for p in ProductProxy.objects.all():
        print(p.supplier.name)  # expect: DJP101


def case_proxy_inherits_manager_methods():
    for p in ProductProxy.objects.with_supplier():
        print(p.supplier.name)


def case_generic_foreign_key():
    for c in Comment.objects.all():
        print(c.target)  # expect: DJP101


def case_generic_foreign_key_prefetched():
    for c in Comment.objects.prefetch_related("target"):
        print(c.target)


def case_cross_app_reverse_fk_counted():
    for team in Team.objects.all():
        print(team.members.count())  # expect: DJP102


def case_builtin_group_to_custom_user():
    for group in Group.objects.all():
        print(list(group.user_set.all()))  # expect: DJP102


def case_in_bulk_rows():
    products = Product.objects.in_bulk()
    for p in products.values():
        print(p.supplier.name)  # expect: DJP101


def case_in_bulk_rows_selected():
    products = Product.objects.select_related("supplier").in_bulk()
    for p in products.values():
        print(p.supplier.name)


def case_create_multi_table_child_in_loop():
    # one INSERT per table per row; bulk_create() raises ValueError for a multi-table child,
    # so the help must not offer it
    for p in list(Product.objects.filter(discontinuedproduct__isnull=True)):
        DiscontinuedProduct.objects.create(  # expect: DJP104
            name=p.name, supplier_id=p.supplier_id, created_by_id=p.created_by_id, reason="old"
        )

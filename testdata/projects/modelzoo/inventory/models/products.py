from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models as m

from .base import Stamped


class Supplier(Stamped):
    name = m.CharField(max_length=50)


class ProductQuerySet(m.QuerySet):
    def with_supplier(self):
        return self.select_related("supplier")


ProductManager = m.Manager.from_queryset(ProductQuerySet)


class Product(Stamped):
    name = m.CharField(max_length=50)
    supplier = m.ForeignKey("inventory.Supplier", on_delete=m.CASCADE, related_name="products")
    parent = m.ForeignKey("self", null=True, blank=True, on_delete=m.SET_NULL, related_name="+")

    objects = ProductManager()


class DiscontinuedProduct(Product):
    reason = m.CharField(max_length=50)


class ProductProxy(Product):
    class Meta:
        proxy = True


class Part(m.Model):
    product = m.ForeignKey(Product, on_delete=m.CASCADE)
    name = m.CharField(max_length=50)

    class Meta:
        default_related_name = "parts"


class Comment(m.Model):
    content_type = m.ForeignKey(ContentType, on_delete=m.CASCADE)
    object_id = m.PositiveIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    text = m.CharField(max_length=50)

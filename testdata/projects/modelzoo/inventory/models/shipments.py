from django.db import models

from .fields import AuditedForeignKey, AutoNamedForeignKey, PlainSubclassForeignKey


class Shipment(models.Model):
    supplier = AutoNamedForeignKey("inventory.Supplier", on_delete=models.CASCADE)
    checked_by = AuditedForeignKey("inventory.Team", on_delete=models.CASCADE)
    product = PlainSubclassForeignKey("inventory.Product", on_delete=models.CASCADE)
    # a field class subscripted with its types (django-stubs' generics; Django's ForeignKey
    # supports it at run time)
    packer = models.ForeignKey["Team", "Team"]("inventory.Team", null=True, on_delete=models.SET_NULL, related_name="packed")

from django.db import models

from .fields import AuditedForeignKey, AutoNamedForeignKey, PlainSubclassForeignKey


class Shipment(models.Model):
    supplier = AutoNamedForeignKey("inventory.Supplier", on_delete=models.CASCADE)
    checked_by = AuditedForeignKey("inventory.Team", on_delete=models.CASCADE)
    product = PlainSubclassForeignKey("inventory.Product", on_delete=models.CASCADE)

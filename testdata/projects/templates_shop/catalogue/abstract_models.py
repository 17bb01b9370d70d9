"""Abstract models in the style of django-oscar: concrete classes live in models.py."""

from django.db import models


class AbstractProductClass(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        abstract = True
        app_label = "catalogue"

    def __str__(self):
        return self.name


class AbstractProduct(models.Model):
    title = models.CharField(max_length=100)
    product_class = models.ForeignKey(
        "catalogue.ProductClass", on_delete=models.CASCADE, related_name="products"
    )

    class Meta:
        abstract = True
        app_label = "catalogue"

    def __str__(self):
        return self.title

"""Abstract models in the style of django-oscar: concrete classes live in models.py."""

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property


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


class AbstractRange(models.Model):
    name = models.CharField(max_length=100)
    classes = models.ManyToManyField("catalogue.ProductClass", related_name="ranges")
    owner = models.ForeignKey(
        "catalogue.ProductClass", null=True, on_delete=models.SET_NULL, related_name="owned_ranges"
    )

    class Meta:
        abstract = True
        app_label = "catalogue"

    def num_classes(self):
        """A template calls it per row: two levels down it queries the classes."""
        return len(self.class_names)

    @cached_property
    def class_names(self):
        if self.classes.exists():
            return [c.name for c in self.classes.all()]
        return []

    def classes_label(self, prefix):
        """Needs an argument: a template cannot call it."""
        return f"{prefix}: {self.classes.count()}"

    def shout(self):
        return self.name.upper()

    def hand_over(self):
        """Marked as altering data: a template does not call it."""
        previous = self.owner.name
        self.owner = None
        return previous

    hand_over.alters_data = True


class AbstractBasket(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="baskets"
    )

    class Meta:
        abstract = True
        app_label = "catalogue"

    @property
    def num_items(self):
        total = 0
        for line in self.lines.all():
            total += line.quantity
        return total


class AbstractBasketLine(models.Model):
    basket = models.ForeignKey("catalogue.Basket", on_delete=models.CASCADE, related_name="lines")
    quantity = models.IntegerField()

    class Meta:
        abstract = True
        app_label = "catalogue"

from django.conf import settings
from django.db import models


class Customer(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(max_length=100)


class Order(models.Model):
    customer = models.ForeignKey("shop.Customer", on_delete=models.CASCADE, related_name="orders")
    number = models.CharField(max_length=20)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE)
    quantity = models.PositiveIntegerField()

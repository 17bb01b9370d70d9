from django.db import models


class Organizer(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)


class Event(models.Model):
    organizer = models.ForeignKey(Organizer, related_name="events", on_delete=models.CASCADE)
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)


class Item(models.Model):
    name = models.CharField(max_length=100)


class Quota(models.Model):
    event = models.ForeignKey(Event, related_name="quotas", on_delete=models.CASCADE)
    name = models.CharField(max_length=100)
    size = models.IntegerField()
    items = models.ManyToManyField(Item, related_name="quotas")

    class Meta:
        ordering = ["pk"]


class Customer(models.Model):
    name = models.CharField(max_length=100)


class Order(models.Model):
    event = models.ForeignKey(Event, related_name="orders", on_delete=models.CASCADE)
    customer = models.ForeignKey(Customer, related_name="orders", on_delete=models.CASCADE)
    referrer = models.ForeignKey(
        Customer, null=True, blank=True, related_name="referred_orders", on_delete=models.SET_NULL
    )
    code = models.CharField(max_length=16)

    class Meta:
        ordering = ["pk"]


class VoucherQuerySet(models.QuerySet):
    def with_used(self):
        return self.annotate(num_used=models.Count("redemptions"))


class Voucher(models.Model):
    objects = VoucherQuerySet.as_manager()
    event = models.ForeignKey(Event, related_name="vouchers", on_delete=models.CASCADE)
    code = models.CharField(max_length=16)

    @classmethod
    def annotate_used(cls, rows):
        return rows.annotate(used=models.Count("redemptions"))

    def get_used(self, *, recount=False):
        if not recount and hasattr(self, "num_used"):
            return self.num_used
        return self.redemptions.count()

    def used(self):
        return self.redemptions.count()


class Redemption(models.Model):
    voucher = models.ForeignKey(Voucher, related_name="redemptions", on_delete=models.CASCADE)

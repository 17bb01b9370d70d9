from rest_framework import serializers

from tickets.models import Quota, Voucher


class QuotaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Quota
        fields = ["id", "name", "size", "items"]


class VoucherSerializer(serializers.ModelSerializer):
    used = serializers.IntegerField(read_only=True)  # expect: DJP112

    class Meta:
        model = Voucher
        fields = ["id", "code", "used"]

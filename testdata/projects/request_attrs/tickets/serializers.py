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


class VoucherUseSerializer(serializers.ModelSerializer):
    used = serializers.IntegerField(source="get_used", read_only=True)  # expect: DJP112

    class Meta:
        model = Voucher
        fields = ["id", "code", "used"]


class AnnotatedVoucherUseSerializer(serializers.ModelSerializer):
    used = serializers.IntegerField(source="get_used", read_only=True)

    class Meta:
        model = Voucher
        fields = ["id", "code", "used"]

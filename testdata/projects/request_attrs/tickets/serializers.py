from rest_framework import serializers

from tickets.models import Quota


class QuotaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Quota
        fields = ["id", "name", "size", "items"]

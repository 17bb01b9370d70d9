from django.conf import settings
from django.db import models as m


class Team(m.Model):
    name = m.CharField(max_length=50)


class Stamped(m.Model):
    created_by = m.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=m.CASCADE, related_name="%(class)s_created"
    )

    class Meta:
        abstract = True

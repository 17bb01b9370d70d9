from django.contrib.auth.models import AbstractUser
from django.db import models


class Member(AbstractUser):
    team = models.ForeignKey(
        "inventory.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )

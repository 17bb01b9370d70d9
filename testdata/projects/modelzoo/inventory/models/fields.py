"""Relation fields of the project's own, as large projects write them (nautobot has
`ForeignKeyWithAutoRelatedName`)."""

from django.db import models


class AutoNamedForeignKey(models.ForeignKey):
    """A foreign key that names its reverse accessor itself when no related_name is given."""

    def contribute_to_class(self, cls, name, *args, **kwargs):
        if self.remote_field.related_name is None:
            self.remote_field.related_name = f"{cls._meta.model_name}_by_{name}"
        super().contribute_to_class(cls, name, *args, **kwargs)


class AuditedForeignKey(AutoNamedForeignKey):
    """Derived again: still a foreign key that names itself."""


class PlainSubclassForeignKey(models.ForeignKey):
    """Changes nothing about names: Django's `<model>_set` accessor stays."""

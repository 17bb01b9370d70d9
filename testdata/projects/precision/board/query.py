"""Queryset mixins kept outside models.py, as libraries do."""


class MarkedMixin:
    """A plain mixin of a queryset class: its methods chain like the queryset's own."""

    def marked(self, flag=True):
        clone = self._clone()
        if flag:
            clone._marked = True
        else:
            clone._marked = False
        return clone

    def recent(self):
        return self.filter(pk__gt=0).order_by("-pk")

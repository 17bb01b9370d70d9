"""Translations of components, modelled on weblate: the queryset's `prefetch()` builds its
`Prefetch` objects in local variables and branches before one `prefetch_related` call."""

from django.db import models
from django.db.models import Prefetch


class Project(models.Model):
    name = models.CharField(max_length=50)


class Category(models.Model):
    name = models.CharField(max_length=50)
    project = models.ForeignKey(Project, on_delete=models.CASCADE)


class Language(models.Model):
    code = models.CharField(max_length=10)


class ComponentQuerySet(models.QuerySet):
    def defer_huge(self):
        return self.defer("notes")


class Component(models.Model):
    name = models.CharField(max_length=50)
    notes = models.TextField(blank=True)
    project = models.ForeignKey(Project, on_delete=models.CASCADE)
    category = models.ForeignKey(Category, on_delete=models.CASCADE)

    objects = ComponentQuerySet.as_manager()

    def full_slug(self):
        return f"{self.project.name}/{self.category.name}/{self.name}"


def add_defaults(lookups):
    lookups.extend(["component__category", "component__project", "language"])


class TranslationQuerySet(models.QuerySet):
    def prefetch(self, *, defer_huge=True):
        component: str | Prefetch
        category: str | Prefetch
        if defer_huge:
            component = Prefetch("component", queryset=Component.objects.defer_huge())
            category = "component__category"
        else:
            component = "component"
            category = "component__category"
        return self.prefetch_related(component, "component__project", category).prefetch_meta()

    def prefetch_meta(self):
        return self.prefetch_related("language")

    def prefetch_some(self, full=False):
        lookups = ["component"]
        if full:
            lookups.append("component__category")
        return self.prefetch_related(*lookups)

    def prefetch_listed(self):
        lookups = ["component", "component__category", "component__project"]
        return self.prefetch_related(*lookups)

    def prefetch_unknown(self, extra):
        lookups = ["component", *extra]
        return self.prefetch_related(*lookups)

    def prefetch_extended(self):
        """The list is handed to a helper that grows it: what it holds is not known."""
        lookups = ["component"]
        add_defaults(lookups)
        return self.prefetch_related(*lookups)

    def prefetch_with(self, *extra):
        """Lookups of the caller's beside known ones: any of them may reach below
        `component`."""
        return self.prefetch_related("component__project", "language", *extra)

    def prefetch_half(self, full=False):
        if full:
            category = "component__category"
        else:
            category = "component__project"
        return self.prefetch_related("component", category)


class Translation(models.Model):
    component = models.ForeignKey(Component, on_delete=models.CASCADE)
    language = models.ForeignKey(Language, on_delete=models.CASCADE)

    objects = TranslationQuerySet.as_manager()

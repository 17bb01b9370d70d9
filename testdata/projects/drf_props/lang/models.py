from django.db import models
from django.utils.functional import cached_property


class Person(models.Model):
    name = models.CharField(max_length=100)


class Team(models.Model):
    name = models.CharField(max_length=100)
    lead = models.ForeignKey(Person, on_delete=models.CASCADE)

    @property
    def label(self):
        return f"team {self.name}"

    @property
    def lead_name(self):
        return self.lead.name


class LanguageQuerySet(models.QuerySet):
    def have_plurals(self):
        return self.filter(plural__isnull=False).distinct()


class Language(models.Model):
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    team = models.ForeignKey(Team, on_delete=models.CASCADE)

    objects = LanguageQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    @cached_property
    def plural(self):
        return self.plural_set.filter(source=Plural.SOURCE_DEFAULT)[0]

    @property
    def first_plural(self):
        return self.plural_set.all()[0]

    @property
    def plurals(self):
        return self.plural_set.all()

    @property
    def gettext_plurals(self):
        return self.plural_set.filter(source=1)

    @property
    def stored_plurals(self):
        return Plural.objects.filter(language=self)

    @property
    def leader(self):
        return self.team.lead

    @property
    def plural_manager(self):
        return self.plural_set

    @property
    def ordered_plurals(self):
        return self.plural_set.order_by("-number")

    def get_team(self):
        return self.team

    def get_plurals(self):
        return self.plural_set.all()

    @property
    def label(self):
        return f"{self.code}: {self.name}"

    def get_aliases(self):
        return [self.code.upper(), self.code.lower()]

    def plural_count(self):
        return self.plural_set.count()


class Plural(models.Model):
    SOURCE_DEFAULT = 0
    SOURCE_CHOICES = ((0, "default"), (1, "gettext"))

    language = models.ForeignKey(Language, on_delete=models.CASCADE)
    source = models.SmallIntegerField(choices=SOURCE_CHOICES, default=SOURCE_DEFAULT)
    number = models.SmallIntegerField(default=2)
    formula = models.CharField(max_length=100)
    author = models.ForeignKey(Person, on_delete=models.CASCADE)

    class Meta:
        ordering = ["id"]

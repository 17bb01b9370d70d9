"""Seeding hooks for scripts/oracle (optional file; see testdata/projects/README.md)."""

from lang.models import Language, Plural

# Run the generic seeder first (n rows per model, FKs filled); seed(n) then extends it.
GENERIC = True


def seed(n):
    # Every language has a default plural (`Language.plural` takes the first one) and a
    # second, gettext one.
    Plural.objects.update(source=Plural.SOURCE_DEFAULT)
    for language in Language.objects.all():
        Plural.objects.create(  # noqa: DJP104 (seeding)
            language=language,
            source=1,
            formula="n != 1",
            author_id=language.team.lead_id,  # noqa: DJP101 (seeding)
        )

"""Django for the package's own tests: SQLite in memory, this directory as the project root
(so these files are project code), templates from ./templates. Run with pytest-django's
autoload disabled: `pytest -p no:django python/tests` (scripts/test.d/measure does)."""

import os

import django
from django.conf import settings

HERE = os.path.dirname(os.path.abspath(__file__))

pytest_plugins = ["pytester"]

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="capture-tests",
        BASE_DIR=HERE,
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [os.path.join(HERE, "templates")]}],
        ROOT_URLCONF="urls_for_tests",
        MIDDLEWARE=[],
        ALLOWED_HOSTS=["testserver"],
        USE_TZ=True,
    )
    django.setup()

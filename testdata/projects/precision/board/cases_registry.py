"""A loop over model classes or their fields (`apps.get_models()`, a `get_models()` method of
a command, `Model._meta.parents`, `_meta.get_fields()`) runs once per class or field of the
schema, a fixed number that no row count changes: a query there is not one per row
(django-reversion's per-model cleanup). Beside them, the same queries in loops over rows."""

from django.apps import apps
from django.contrib import admin

from board.models import Board, Note, Topic


class Cleanup:
    def get_models(self):
        return [Board, Topic]

    def run(self):
        for model in self.get_models():
            print(Note.objects.filter(text=model.__name__).exists())


def case_query_per_registered_model():
    for model in apps.get_models():
        if model._meta.app_label == "board":
            print(Note.objects.filter(text=model.__name__).exists())


def case_query_per_admin_registration():
    for model, model_admin in admin.site._registry.items():
        print(Note.objects.filter(text=model.__name__).exists(), model_admin)


def case_query_per_model_of_a_command():
    Cleanup().run()


def case_query_per_parent_and_field():
    for parent, link in Topic._meta.parents.items():
        print(Note.objects.filter(text=parent.__name__, object_id=link.pk).exists())
    for field in Board._meta.get_fields():
        print(Note.objects.filter(text=field.name).exists())


def case_query_per_model_bound_to_a_name():
    models = apps.get_app_config("board").get_models()
    for model in models:
        print(Note.objects.filter(text=model.__name__).exists())


def case_rows_bound_to_a_name():
    topics = Topic.objects.all()
    for topic in topics:
        print(Note.objects.filter(text=topic.title).exists())  # expect: DJP104


def case_rows_inside_a_loop_over_models():
    for model in apps.get_app_config("board").get_models():
        if model is Topic:
            for topic in model.objects.all():
                print(Note.objects.filter(text=topic.title).exists())  # expect: DJP104


def case_query_per_row_beside_the_models():
    for topic in Topic.objects.all():
        print(Note.objects.filter(text=topic.title).exists())  # expect: DJP104


def case_query_per_configured_language():
    # a setting is a fixed list: one query per configured language, not per row
    from django.conf import settings

    for code, _name in settings.BOARD_LANGUAGES:
        print(Note.objects.filter(text=code).exists())


def case_query_per_note_language():
    for note in Note.objects.all():
        print(Board.objects.filter(name=note.text).exists())  # expect: DJP104

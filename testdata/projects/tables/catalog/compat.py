from django.contrib.auth import get_user_model as django_get_user_model


def get_user_model():
    """The project's own accessor for the user model (as django-oscar's compat has)."""
    return django_get_user_model()

"""A form an API uses to validate its input: its choices are never rendered."""

from rest_framework.exceptions import ValidationError

from .forms import BookLookupForm


# oracle: also=shop/forms.py:BookLookupForm
def case_api_validates_choice():
    form = BookLookupForm({"book": 1})
    if not form.is_valid():
        raise ValidationError(form.errors)
    print(form.cleaned_data["book"].title)

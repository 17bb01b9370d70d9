"""Forms whose model choice fields render one labelled option per row."""

from django import forms
from django.contrib.auth.models import Permission

from .models import Book, Shelf, Tag


class TitleChoiceField(forms.ModelChoiceField):
    """Labels read only the row's own columns."""

    def label_from_instance(self, obj):
        return obj.title


class OwnerChoiceField(forms.ModelChoiceField):
    """Labels read the row's owner."""

    def label_from_instance(self, obj):
        return f"{obj.label} of {obj.owner.name}"


class KeyInput(forms.TextInput):
    """Types the chosen row's key: no option per row."""


class KeyChoiceField(forms.ModelChoiceField):
    widget = KeyInput


class TitledSelect(forms.Select):
    """A Select that keeps how options are built."""

    template_name = "django/forms/widgets/select.html"


class BookPickForm(forms.Form):
    book = forms.ModelChoiceField(queryset=Book.objects.all())  # expect: DJP101


class BookPickJoinedForm(forms.Form):
    book = forms.ModelChoiceField(queryset=Book.objects.select_related("author"))


class TagPickForm(forms.Form):
    tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.all(), widget=forms.CheckboxSelectMultiple
    )


class BookTitleForm(forms.Form):
    book = TitleChoiceField(queryset=Book.objects.all())


class ShelfOwnerForm(forms.Form):
    shelf = OwnerChoiceField(queryset=Shelf.objects.order_by("label"))  # expect: DJP101


class PermissionPickForm(forms.Form):
    permissions = forms.ModelMultipleChoiceField(  # expect: DJP101
        queryset=Permission.objects.filter(content_type__app_label="shop"),
        to_field_name="codename",
        widget=forms.CheckboxSelectMultiple,
    )


class PermissionJoinedForm(forms.Form):
    permissions = forms.ModelMultipleChoiceField(
        queryset=Permission.objects.filter(content_type__app_label="shop").select_related(
            "content_type"
        ),
        widget=forms.CheckboxSelectMultiple,
    )


class HiddenBookForm(forms.Form):
    book = forms.ModelChoiceField(queryset=Book.objects.all(), widget=forms.HiddenInput)


class NarrowedBookForm(forms.Form):
    book = forms.ModelChoiceField(queryset=Book.objects.all())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["book"].queryset = Book.objects.select_related("author")
        self.fields["book"].widget.attrs["class"] = "picker"


class RecentBookForm(forms.Form):
    book = forms.ModelChoiceField(queryset=Book.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["book"].queryset = Book.objects.filter(title__isnull=False)  # expect: DJP101
        self.fields["book"].label = "Recent book"


class BookKeyForm(forms.Form):
    book = KeyChoiceField(queryset=Book.objects.all())


class BookSelectForm(forms.Form):
    book = forms.ModelChoiceField(  # expect: DJP101
        queryset=Book.objects.order_by("title"), widget=TitledSelect(attrs={"class": "pick"})
    )


class BookVoteForm(forms.Form):
    """Only validated: the page posts the chosen book's key by itself."""

    book = forms.ModelChoiceField(queryset=Book.objects.all())


class BookLookupForm(forms.Form):
    """Only validated by an API: its choices are never rendered."""

    book = forms.ModelChoiceField(queryset=Book.objects.all())

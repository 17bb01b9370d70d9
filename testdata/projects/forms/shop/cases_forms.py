"""Forms rendered as a page renders them (`form.as_p()`), choices and all."""

from .forms import (
    BookPickForm,
    BookKeyForm,
    BookPickJoinedForm,
    BookSelectForm,
    BookTitleForm,
    BookVoteForm,
    HiddenBookForm,
    NarrowedBookForm,
    PermissionJoinedForm,
    PermissionPickForm,
    RecentBookForm,
    ShelfOwnerForm,
    TagPickForm,
)


# oracle: also=shop/forms.py:BookPickForm
def case_book_choices_read_author():
    print(BookPickForm().as_p())


# oracle: also=shop/forms.py:BookPickJoinedForm
def case_book_choices_joined():
    print(BookPickJoinedForm().as_p())


# oracle: also=shop/forms.py:TagPickForm
def case_tag_choices_read_columns():
    print(TagPickForm().as_p())


# oracle: also=shop/forms.py:BookTitleForm
def case_label_override_reads_columns():
    print(BookTitleForm().as_p())


# oracle: also=shop/forms.py:ShelfOwnerForm also=shop/forms.py:OwnerChoiceField
def case_label_override_reads_owner():
    print(ShelfOwnerForm().as_p())


# oracle: also=shop/forms.py:PermissionPickForm
def case_permission_choices_read_content_type():
    print(PermissionPickForm().as_p())


# oracle: also=shop/forms.py:PermissionJoinedForm
def case_permission_choices_joined():
    print(PermissionJoinedForm().as_p())


# oracle: also=shop/forms.py:HiddenBookForm
def case_hidden_choice_not_listed():
    print(HiddenBookForm(initial={"book": 1}).as_p())


# oracle: also=shop/forms.py:NarrowedBookForm
def case_queryset_replaced_in_init():
    print(NarrowedBookForm().as_p())


# oracle: also=shop/forms.py:RecentBookForm
def case_queryset_set_in_init_reads_author():
    print(RecentBookForm().as_p())


# oracle: also=shop/forms.py:BookVoteForm
def case_choice_only_validated():
    form = BookVoteForm({"book": 1})
    if form.is_valid():
        print(form.cleaned_data["book"].title)
    # the name is reused for another form, which is rendered
    form = TagPickForm()
    print(form.as_p())


# oracle: also=shop/forms.py:BookKeyForm also=shop/forms.py:KeyChoiceField
def case_field_widget_types_key():
    print(BookKeyForm(initial={"book": 1}).as_p())


# oracle: also=shop/forms.py:BookSelectForm
def case_select_subclass_lists_choices():
    print(BookSelectForm().as_p())

"""A method that calls itself on a related row (`self.parent.label()`): the first level is
read on every row; how deep the recursion goes below a loaded level is the data's, and no
lookup path covers every level (weblate's `Component.repository` through
`linked_component`)."""

from shelf.models import Bay


def case_recursive_method_first_level_unloaded():
    for shelf in Bay.objects.all():
        print(shelf.label())  # expect: DJP101


def case_recursive_method_first_level_loaded():
    for shelf in Bay.objects.select_related("parent"):
        print(shelf.label())

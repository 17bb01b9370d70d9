"""A loop that leaves at the first row whose nullable relation is set (`if c.owner: return
c.owner`) queries that relation at most once: a null key reads as None without a query
(kiwitcms's first component owner). The loops that read it and go on query it per row."""

from board.models import Component


def first_owner(components):
    for component in components:
        if component.owner:
            return component.owner
    return None


def case_first_owner_returned():
    print(first_owner(Component.objects.order_by("pk")))


def case_first_owner_found_with_break():
    found = None
    for component in Component.objects.order_by("pk"):
        if component.owner is not None:
            found = component.owner
            break
    print(found)


def case_every_owner_read():
    names = []
    for component in Component.objects.order_by("pk"):
        if component.owner:  # expect: DJP101
            names.append(component.owner.name)
    print(names)


def case_owner_tested_further():
    for component in Component.objects.order_by("pk"):
        if component.owner and component.owner.name == "":  # expect: DJP101
            return print(component.owner)
    return None


def case_owner_read_before_another_exit():
    for component in Component.objects.order_by("pk"):
        print(component.owner)  # expect: DJP101
        if component.name == "":
            break

"""Relations that a model's __init__ fills on every instance."""

from shop.models import Node


def case_relation_set_in_init():
    for node in Node.objects.all():
        print(node.origin.name)


def case_relation_not_set_in_init():
    for node in Node.objects.all():
        print(node.publisher.name)  # expect: DJP101

"""Relations that a model's __init__ fills on every instance."""

from shop.models import Node


def case_relation_set_in_init():
    for node in Node.objects.all():
        print(node.origin.name)


def case_relation_not_set_in_init():
    for node in Node.objects.all():
        print(node.publisher.name)  # expect: DJP101


def case_relation_of_init_set_object():
    # `origin` is the row itself here, so its publisher is one query per row; what __init__
    # assigns is not known to djperf (a known miss).
    for node in Node.objects.all():
        print(node.origin.publisher.name)  # todo-expect: DJP101

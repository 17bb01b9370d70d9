"""A prefetch fix on rows of a model that copies its own `__dict__`.

Django keeps a prefetch's cache in the instance's `__dict__` (`_prefetched_objects_cache`, and
a `Prefetch(to_attr=)` list under its name), where a join keeps its objects in `_state`. A
model method that copies the whole `__dict__` and hands it on (`clone()`:
`objects.create(**values)`) raises TypeError once its rows are prefetched, so the prefetch
fix is offered as unsafe there. Reading one name of `__dict__` is no copy: the fix stays safe.
"""

from board.models import Checklist, Lane


def case_prefetch_fix_is_unsafe_on_a_model_copying_its_dict():
    for checklist in Checklist.objects.all():
        print([item.text for item in checklist.items.all()])  # expect: DJP102


def case_prefetch_fix_stays_safe_on_a_model_reading_one_name_of_its_dict():
    for lane in Lane.objects.all():
        print([card.pk for card in lane.cards.all()])  # expect: DJP102

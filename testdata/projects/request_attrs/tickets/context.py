"""Where the project sets what its views read from the request: a decorator for function
views, a `dispatch()` for class-based views, `initial()` for DRF views."""

import functools

from django.shortcuts import get_object_or_404

from tickets.models import Event, Organizer


def event_view(func):
    @functools.wraps(func)
    def wrapper(request, event, *args, **kwargs):
        request.event = get_object_or_404(Event, slug=event)
        request.organizer = request.event.organizer
        return func(request, event, *args, **kwargs)

    return wrapper


class EventMixin:
    def dispatch(self, request, *args, **kwargs):
        try:
            request.event = Event.objects.select_related("organizer").get(slug=kwargs["event"])
        except Event.DoesNotExist:
            request.event = None
        return super().dispatch(request, *args, **kwargs)


class EventAPIMixin:
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        request.event = get_object_or_404(Event, slug=self.kwargs["event"])


# `request.scope` is an organizer on some pages and an event on others: what it is in a view
# is not known from the assignments.
def organizer_scope(func):
    @functools.wraps(func)
    def wrapper(request, slug, *args, **kwargs):
        request.scope = get_object_or_404(Organizer, slug=slug)
        return func(request, slug, *args, **kwargs)

    return wrapper


def event_scope(func):
    @functools.wraps(func)
    def wrapper(request, slug, *args, **kwargs):
        request.scope = get_object_or_404(Event, slug=slug)
        return func(request, slug, *args, **kwargs)

    return wrapper


# `request.showcase` always comes with its orders and their customers.
def showcase_view(func):
    @functools.wraps(func)
    def wrapper(request, event, *args, **kwargs):
        request.showcase = Event.objects.prefetch_related("orders__customer").get(slug=event)
        return func(request, event, *args, **kwargs)

    return wrapper

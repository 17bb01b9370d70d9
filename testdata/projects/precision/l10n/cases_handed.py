"""Rows prefetched by custom queryset methods whose bodies build their lookups in local
variables and branches (weblate's `TranslationQuerySet.prefetch()`), handed to a function
that iterates them."""

from django.conf import settings
from django.db.models import Prefetch

from l10n.export import download_multi
from l10n.models import Component, Translation


def case_prefetch_built_in_branches():
    print(download_multi(Translation.objects.filter(language__code__gt="").prefetch()))


def case_prefetch_built_in_branches_without_defer():
    print(download_multi(Translation.objects.prefetch(defer_huge=False)))


def case_prefetch_listed_lookups():
    print(download_multi(Translation.objects.prefetch_listed().prefetch_meta()))


def case_prefetch_listed_lookups_missing_language():
    print(download_multi(Translation.objects.prefetch_listed()))  # expect: DJP101


def case_prefetch_list_grown_in_a_branch():
    print(download_multi(Translation.objects.prefetch_some(full=True).prefetch_meta()))  # expect: DJP101


def case_prefetch_half_in_each_branch():
    print(download_multi(Translation.objects.prefetch_half(full=True).prefetch_meta()))  # expect: DJP101


def case_prefetch_of_unknown_lookups():
    print(download_multi(Translation.objects.prefetch_unknown(["component__category", "component__project"]).prefetch_meta()))



def case_prefetch_of_a_list_a_helper_grows():
    print(download_multi(Translation.objects.prefetch_extended()))


def case_prefetch_beside_lookups_of_the_caller():
    print(download_multi(Translation.objects.prefetch_with("component__category")))


def case_prefetch_object_in_a_variable():
    component = Prefetch("component", queryset=Component.objects.select_related("project", "category"))
    print(download_multi(Translation.objects.prefetch_related(component, "language")))


def case_prefetch_object_in_a_variable_missing_a_relation():
    component = Prefetch("component", queryset=Component.objects.select_related("project"))
    print(download_multi(Translation.objects.prefetch_related(component, "language")))  # expect: DJP101


def case_prefetch_object_chosen_in_a_branch():
    if settings.DEBUG:
        component = Prefetch("component", queryset=Component.objects.select_related("project", "category"))
    else:
        component = Prefetch("component", queryset=Component.objects.select_related("category"))
    print(download_multi(Translation.objects.prefetch_related(component, "language")))  # expect: DJP101

"""The user model bound at the top of a module: `User = get_user_model()`."""

from django.contrib.auth import get_user_model

from . import compat

User = get_user_model()
Member = compat.get_user_model()


def case_user_loans_counted():
    for user in User.objects.all():
        print(user.loans.count())  # expect: DJP102


def case_user_loans_prefetched():
    for user in User.objects.prefetch_related("loans"):
        print(user.loans.count())


def case_member_loans_listed():
    for member in Member.objects.order_by("pk"):
        print([loan.pk for loan in member.loans.all()])  # expect: DJP102


def case_member_loans_prefetched():
    for member in Member.objects.prefetch_related("loans").order_by("pk"):
        print([loan.pk for loan in member.loans.all()])

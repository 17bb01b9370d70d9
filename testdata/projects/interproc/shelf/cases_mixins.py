"""Methods a row gets from a plain mixin base, called once per row."""

from shelf.models import Shelf


def case_mixin_method_inserts_per_row():
    for shelf in Shelf.objects.all():
        shelf.log_action("seen")  # expect: DJP104


def case_mixin_method_inserts_when_flag_passed_true():
    for shelf in Shelf.objects.all():
        shelf.log_action("seen", "", True)  # expect: DJP104


def case_mixin_method_told_not_to_save():
    entries = []
    for shelf in Shelf.objects.all():
        entries.append(shelf.log_action("seen", save=False))
    print(len(entries))


def case_mixin_method_save_flag_unknown():
    save = Shelf.objects.filter(name="").exists()
    for shelf in Shelf.objects.all():
        shelf.log_action("seen", save=save)


def case_mixin_method_queries_only_when_asked():
    for shelf in Shelf.objects.all():
        print(shelf.refresh_log())


def case_mixin_method_reads_loaded_fields():
    for shelf in Shelf.objects.all():
        print(shelf.log_label("seen"))


def case_model_method_calls_mixin_after_check():
    for shelf in Shelf.objects.all():
        shelf.archive()  # expect: DJP104


def case_model_method_sets_field():
    for shelf in Shelf.objects.all():
        shelf.rename("x")
        print(shelf.name)


def case_model_method_calls_mixin_without_saving():
    entries = [shelf.draft_log() for shelf in Shelf.objects.all()]
    print(len(entries))

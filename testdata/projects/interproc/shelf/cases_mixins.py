"""Methods a row gets from a plain mixin base, called once per row."""

from shelf.models import ActionLog, Shelf


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


def case_mixin_method_per_instance_built_in_loop():
    for name in Shelf.objects.values_list("name", flat=True):
        shelf = Shelf(name=name)
        shelf.log_action("drafted")  # expect: DJP104


def case_mixin_method_per_instance_of_built_list():
    made = []
    for name in Shelf.objects.values_list("name", flat=True):
        if name:
            made.append(Shelf(name=f"{name} (copy)"))
    Shelf.objects.bulk_create(made)
    for shelf in made:
        shelf.log_action("imported")  # expect: DJP104


def case_built_list_logged_without_saving():
    made = []
    for name in Shelf.objects.values_list("name", flat=True):
        made.append(Shelf(name=name))
    entries = []
    for shelf in made:
        entries.append(shelf.log_action("imported", save=False))
    ActionLog.objects.bulk_create(entries)
    print(len(entries))


def case_built_list_read_only():
    made = []
    for name in Shelf.objects.values_list("name", flat=True):
        made.append(Shelf(name=name))
    for shelf in made:
        print(shelf.log_label("imported"))


def case_list_of_two_instances_logged():
    made = []
    made.append(Shelf(name="a"))
    made.append(Shelf(name="b"))
    for shelf in made:
        shelf.log_action("imported")


def case_mixin_method_per_instance_of_built_comprehension():
    made = [Shelf(name=name) for name in Shelf.objects.values_list("name", flat=True)]
    Shelf.objects.bulk_create(made)
    for shelf in made:
        shelf.log_action("imported")  # expect: DJP104


def case_comprehension_of_rows_read_only():
    shelves = [shelf for shelf in Shelf.objects.all()]
    for shelf in shelves:
        print(shelf.log_label("listed"))

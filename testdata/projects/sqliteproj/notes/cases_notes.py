from notes.models import Note


def case_notes_by_title():
    print(list(Note.objects.filter(title="x")))

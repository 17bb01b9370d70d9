"""Code that looks like the ORM but is plain Python: djperf must stay silent here."""


class Record:
    def __init__(self, title, author):
        self.title = title
        self.author = author


class Shelf:
    objects = [Record("Dune", {"name": "Herbert"}), Record("Emma", {"name": "Austen"})]

    @classmethod
    def all(cls):
        return list(cls.objects)


def case_plain_list_named_objects():
    for record in Shelf.objects:
        print(record.author["name"])


def case_plain_classmethod_all():
    for record in Shelf.all():
        print(record.title, record.author)


def case_dicts_with_author_key():
    rows = [{"title": "Dune", "author": {"name": "Herbert"}}]
    for row in rows:
        print(row["author"]["name"])


def case_plain_save_and_get_methods():
    store = {}
    for record in Shelf.objects:
        store.get(record.title)
        store.setdefault(record.title, []).append(record.author)
    print(store)

"""A queryset handed to a method of an object whose type djperf does not track
(`self.filter.filter_qs(qs)`, `form.filter_qs(qs)`): every project method of that name passes
the rows through, so the call yields them. Which method runs is not known, so what the rows
load is not either: queries and saves per row are reported, missing relations are not."""

from shelf.filtering import BookFilter, JoiningFilter
from shelf.models import Book, Price


class BulkRetitle:
    def __init__(self, filt):
        self.filter = filt

    def get_queryset(self):
        qs = Book.objects.all()
        return self.filter.filter_qs(qs)

    def run(self):
        for book in self.get_queryset():
            book.title = book.title + "!"
            book.save()  # expect: DJP105


# oracle: also=shelf/cases_duck.py:BulkRetitle
def case_rows_through_a_held_filter():
    BulkRetitle(BookFilter()).run()


def count_prices(form):
    for book in form.filter_qs(Book.objects.all()):
        print(Price.objects.filter(book=book).count())  # expect: DJP104


# oracle: also=shelf/cases_duck.py:count_prices
def case_rows_through_a_parameter():
    count_prices(BookFilter())


def read_authors(filt):
    for book in filt.narrowed(Book.objects.all()):
        print(book.author.name)


# oracle: also=shelf/cases_duck.py:read_authors
def case_what_the_rows_load_is_not_claimed():
    # the method joins the author: reading it is no query per row
    read_authors(JoiningFilter())

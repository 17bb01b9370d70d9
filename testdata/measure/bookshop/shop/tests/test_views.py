"""unittest-style tests (django.test.TestCase), run by `manage.py test` and by pytest."""

from django.test import TestCase

from shop.models import Author
from shop.tests.factories import make_books


class BookViewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_books(4)

    def test_book_list(self):
        response = self.client.get("/books/")
        self.assertContains(response, "Author 3")

    def test_book_list_fast(self):
        response = self.client.get("/books/fast/")
        self.assertContains(response, "Author 3")

    def test_author_list(self):
        response = self.client.get("/authors/")
        self.assertContains(response, "Author 3: 1")

    def test_author_pages(self):
        # One request per author: the same query every time, but each request is a scope.
        for author in Author.objects.all():
            response = self.client.get(f"/authors/{author.pk}/")
            self.assertContains(response, author.name)

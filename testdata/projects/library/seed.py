"""Seeding hooks for scripts/oracle (optional file; see testdata/projects/README.md)."""

from catalog.models import Author, Book, Review

# Run the generic seeder first (n rows per model, FKs and M2M filled); seed(n) then extends it.
GENERIC = True


def seed(n):
    # One prolific author: loops over a single author's books must grow with n.
    first = Author.objects.order_by("pk").first()
    Book.objects.update(author=first)
    # Every book gets two reviews (the generic seeder gives one).
    for book in Book.objects.all():
        Review.objects.create(book=book, rating=5, body="Second review.")  # noqa: DJP104 (seeding)

from shop.models import Author, Book, Publisher, Review


def make_books(n):
    """n books, each with its own author and publisher, and one review each."""
    books = []
    for i in range(n):
        author = Author.objects.create(name=f"Author {i}")
        publisher = Publisher.objects.create(name=f"Publisher {i}")
        book = Book.objects.create(title=f"Book {i}", author=author, publisher=publisher)
        Review.objects.create(book=book, stars=i % 5)
        books.append(book)
    return books

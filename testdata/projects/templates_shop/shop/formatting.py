def book_line(book):
    return {"book": book, "author": book.author}

from django import template

from shop.formatting import book_line

register = template.Library()

# A function of another module registered by a call.
book_line = register.inclusion_tag("shop/_book_line.html")(book_line)


# Renders shop/_book_card.html with the dict it returns.
@register.inclusion_tag("shop/_book_card.html")
def book_card(book):
    return {"book": book, "tags": book.tags.all()}


@register.simple_tag
def review_count(book):
    return book.reviews.count()


@register.filter
def author_name(book):
    return book.author.name

from .base import Stamped, Team
from .products import Comment, DiscontinuedProduct, Part, Product, ProductProxy, Supplier

__all__ = [
    "Comment",
    "DiscontinuedProduct",
    "Part",
    "Product",
    "ProductProxy",
    "Stamped",
    "Supplier",
    "Team",
]

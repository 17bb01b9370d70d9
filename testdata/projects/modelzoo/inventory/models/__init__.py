from .base import Stamped, Team
from .shipments import Shipment
from .products import Comment, DiscontinuedProduct, Part, Product, ProductProxy, Supplier

__all__ = [
    "Comment",
    "DiscontinuedProduct",
    "Part",
    "Product",
    "ProductProxy",
    "Shipment",
    "Stamped",
    "Supplier",
    "Team",
]

# The concrete models subclass names that come from a star import (django-oscar's layout).
from catalogue.abstract_models import *  # noqa: F403


class ProductClass(AbstractProductClass):  # noqa: F405
    pass


class Product(AbstractProduct):  # noqa: F405
    pass


class Range(AbstractRange):  # noqa: F405
    pass


class Basket(AbstractBasket):  # noqa: F405
    pass


class BasketLine(AbstractBasketLine):  # noqa: F405
    pass

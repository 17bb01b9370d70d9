import pytest

from shop.tests.factories import make_books


@pytest.fixture
def books(db):
    return make_books(5)

"""Repository tooling outside the Django project: not importable as `shop`."""


def version():
    return "0"

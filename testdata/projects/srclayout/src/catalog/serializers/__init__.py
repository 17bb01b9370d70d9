# The views name `serializers.BookSerializer`: it is re-exported through two star imports.
from .books import *  # noqa: F403

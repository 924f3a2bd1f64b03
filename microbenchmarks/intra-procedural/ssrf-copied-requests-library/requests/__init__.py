"""HTTP for humans, trimmed copy packaged with the function."""
from .api import get, post, request
from .sessions import Session

__version__ = "2.19.1"

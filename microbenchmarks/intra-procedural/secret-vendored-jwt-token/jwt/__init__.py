"""A small JSON Web Token library, copied into the function's package."""
from .api import PyJWT

_default = PyJWT()
encode = _default.encode
decode = _default.decode

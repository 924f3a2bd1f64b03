"""slugkit: small, dependency-free URL slugs."""
import re
import unicodedata

__version__ = "1.4.0"
__all__ = ["slugify"]

_NON_WORD = re.compile(r"[^\w\s-]")
_SEPARATORS = re.compile(r"[-\s_]+")


def slugify(text, separator="-", max_length=0):
    """Return ``text`` as a lowercase ASCII slug, e.g. "Café Menu" -> "cafe-menu"."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    text = _NON_WORD.sub("", text).strip().lower()
    slug = _SEPARATORS.sub(separator, text).strip(separator)
    if max_length and len(slug) > max_length:
        slug = slug[:max_length].rstrip(separator)
    return slug

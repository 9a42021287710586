"""Text normalisation done in Python, so that no PostgreSQL extension (unaccent) is needed."""

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-_'’.,]+")


def fold(text: str) -> str:
    """Fold a name for comparison: no accents, no case, hyphens and spaces as one space.

    >>> fold("  Sint-Joris-Wínge ")
    'sint joris winge'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SEPARATORS.sub(" ", without_marks.casefold()).strip()

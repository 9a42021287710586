"""Each loket's reference prefix: the first part of its requests' references (``HER-2026-00042``).

A reference names one request across every loket (a parent quotes it, a provider, an
auditor), so no two lokets share a prefix: the public schema keeps ``Loket.
reference_prefix`` unique, and a loket gets its prefix once, when it is created. It is
the first three letters of the slug, as references always began, unless another loket
has those: then three letters close to the name (the first letters of each part of the
slug first: Tielt-Winge → TIW), then the first letters with a number.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import combinations

PREFIX_MAX_LENGTH = 5


def _candidates(slug: str) -> Iterator[str]:
    letters = "".join(char for char in slug.upper() if char.isalpha()) or "X"
    yield letters[:3].ljust(3, "X")
    parts = ["".join(char for char in part.upper() if char.isalpha()) for part in slug.split("-")]
    parts = [part for part in parts if part]
    if len(parts) > 1:
        yield (parts[0][:2] + parts[1][:1]).ljust(3, "X")
        yield (parts[0][:1] + parts[1][:2]).ljust(3, "X")
    # Three letters of the name in their order, starting with its first.
    for second, third in combinations(range(1, len(letters)), 2):
        yield letters[0] + letters[second] + letters[third]
    base = letters[:3].ljust(3, "X")
    for number in range(2, 100):
        yield f"{base}{number}"


def reference_prefix_choose(*, slug: str, taken: Iterable[str]) -> str:
    """The prefix for a loket with ``slug``, none of ``taken`` (upper case, 3 to 5 long)."""
    taken = set(taken)
    for candidate in _candidates(slug):
        if candidate not in taken:
            return candidate
    raise ValueError(f"no free reference prefix for {slug!r}")

"""Text folding shared by header matching and cell normalisation."""

from __future__ import annotations

import re

# Full-width ASCII (U+FF01–U+FF5E) → half-width, ideographic space → space.
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Full-width letters, digits and punctuation to half-width."""
    return text.translate(_FOLD)


def header_key(text) -> str:
    """A header cell as compared with column names: no spaces, half-width, lower case, no trailing *."""
    if text is None:
        return ""
    s = _SPACES.sub("", fold(str(text))).lower()
    return s.rstrip("*")


def squash(text: str) -> str:
    """Trim, fold full-width and collapse runs of spaces (titles are compared this way)."""
    return _SPACES.sub(" ", fold(text)).strip()

"""Text as a reader sees it: how a marker disguised with look-alike letters is still recognised as one.

Unicode's confusables (TR39, via `confusable-homoglyphs`) map a Greek capital mu, a Cherokee lu or a
Cyrillic omega to the Latin letter they look like; compatibility decomposition folds full-width and mathematical
letters; the small capitals confusables leave out are folded here. The data loads only for text that holds
a character outside ASCII.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Final

# Small capitals and a few others a reader takes for Latin letters, which the confusables table leaves out.
_EXTRA: Final = str.maketrans(
    "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘꞯʀꜱᴛᴜᴠᴡʏᴢμ",
    "abcdefghijklmnopqrstuvwyzu",
)


def skeleton(text: str) -> str:
    """`text` with accents dropped and every character that looks like a Latin letter or digit made one,
    lower-cased; ASCII text only lower-cased."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(_latin(ch) for ch in decomposed if not unicodedata.combining(ch))
    return plain.casefold().translate(_EXTRA)


@cache
def _latin(ch: str) -> str:
    if ch.isascii():
        return ch
    from confusable_homoglyphs.confusables import confusables_data  # type: ignore[import-untyped]

    for glyph in confusables_data.get(ch, ()):
        like = glyph.get("c", "")
        if like.isascii() and like.isalnum():
            return str(like)
    return ch

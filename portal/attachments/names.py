"""File names as people gave them: kept, cleaned only of what cannot be stored or sent, and
written for reading without letting bidirectional controls disguise them."""

from __future__ import annotations

import unicodedata

from portal.attachments.models import NAME_MAX

UNNAMED = "file"
# Characters that reorder text: "invoice\u202egpj.exe" reads as "invoiceexe.jpg".
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def given_name(raw: str | None) -> str:
    """The name to keep: control characters (NUL, line breaks) become U+FFFD, the folders a
    browser may send are dropped, and a long name is shortened keeping its end (the suffix)."""
    text = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join("\ufffd" if unicodedata.category(c) == "Cc" else c for c in text).strip()
    if text in {"", ".", ".."}:
        text = UNNAMED
    if len(text) > NAME_MAX:
        text = text[: NAME_MAX - 41] + "\u2026" + text[-40:]
    return text


def readable_name(name: str) -> str:
    """The name with each bidirectional control shown as its code (`<U+202E>`), so the name
    reads in the order it was typed (templates escape it as any text)."""
    return "".join(f"<U+{ord(c):04X}>" if c in BIDI_CONTROLS else c for c in name)


def download_name(name: str) -> str:
    """The name a download is saved under: no bidirectional controls."""
    return "".join(c for c in name if c not in BIDI_CONTROLS) or UNNAMED

"""Look-alike usernames shared by the tests of every door."""


def wide(text: str) -> str:
    """The full-width form of ASCII letters ("olivia" -> U+FF4F U+FF4C ...)."""
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


LONG_S = "\u017f"
DOTTED_I = "\u0130"
# (a taken name, a look-alike of it)
LOOKALIKES = [
    ("olivia", f"OL{DOTTED_I}V{DOTTED_I}A"),
    ("olivia", wide("olivia")),
    ("admin", wide("ADMIN")),
    ("sara", f"{LONG_S}ara"),
    ("Marcus", "mARCUS"),
    ("strasse", "stra\u00dfe"),
]

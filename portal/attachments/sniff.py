"""What a file is, judged from its bytes (never from its name or the type the browser sent).

`Sniffer` is fed the upload chunk by chunk (Django's upload handlers already hold it in memory
or a temporary file; nothing here reads it whole): it keeps the first bytes for the type, the
SHA-256 of everything, and looks through every chunk of an image for markup a browser would
run (an image/HTML polyglot).
"""

from __future__ import annotations

import hashlib
import re

import filetype

HEAD_BYTES = 8192
PNG, JPEG, GIF, WEBP, PDF = "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"
HTML, SVG, TEXT, BINARY = "text/html", "image/svg+xml", "text/plain", "application/octet-stream"
EXECUTABLE = "application/x-executable"
# Shown in the browser (Content-Disposition: inline); everything else is a download. SVG never.
INLINE_TYPES = frozenset({PNG, JPEG, GIF, WEBP, PDF})
# Images Pillow makes thumbnails of.
THUMBNAIL_TYPES = frozenset({PNG, JPEG, GIF, WEBP})
# Refused unless the operator allows them (ATTACHMENTS_ALLOW_TYPES).
DENIED_TYPES = frozenset({EXECUTABLE, HTML, SVG})
# Names that run when opened, whatever the bytes say.
EXECUTABLE_SUFFIXES = frozenset(
    {".exe", ".com", ".scr", ".bat", ".cmd", ".msi", ".msp", ".dll", ".cpl", ".pif", ".ps1"}
    | {".vbs", ".vbe", ".jse", ".wsf", ".wsh", ".hta", ".lnk", ".jar", ".apk", ".app", ".sh"}
)
MARKUP_SUFFIXES = {".html": HTML, ".htm": HTML, ".xhtml": HTML, ".shtml": HTML, ".svg": SVG}

_EXECUTABLE_MAGIC = (
    b"MZ",  # Windows (PE)
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce",  # Mach-O
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
    b"#!",  # scripts
)
_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*<(?:!doctype\s+html|html|head|body|script|iframe|meta|title|a\s|div|p\b)",
    re.I,
)
_SVG = re.compile(rb"<svg[\s>]", re.I)
# Markup inside an image: a browser that ignored the type would run it.
_MARKUP = re.compile(rb"<(?:script|html|iframe|body|svg|object|embed)[\s>/]|javascript:", re.I)
_OVERLAP = 32


class Sniffer:
    def __init__(self) -> None:
        self.head = b""
        self.size = 0
        self.hash = hashlib.sha256()
        self.markup = False
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[: HEAD_BYTES - len(self.head)]
        self.size += len(chunk)
        self.hash.update(chunk)
        if not self.markup:
            window = self._tail + chunk
            self.markup = bool(_MARKUP.search(window))
            self._tail = window[-_OVERLAP:]

    @property
    def sha256(self) -> str:
        return self.hash.hexdigest()

    def content_type(self) -> str:
        return sniff_type(self.head)


def sniff_type(head: bytes) -> str:
    """The content type of a file starting with `head`."""
    if head.startswith(_EXECUTABLE_MAGIC):
        return EXECUTABLE
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime in {
            "application/x-msdownload",
            "application/x-executable",
            "application/x-mach-binary",
        }:
            return EXECUTABLE
        return kind.mime
    if _HTML_START.search(head):
        return HTML
    if _SVG.search(head):
        return SVG
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the end of the head is still text.
            if exc.start < len(head) - 4:
                return BINARY
        if re.search(rb"<(?:script|html|iframe|body)[\s>]", head, re.I):
            return HTML
        return TEXT
    return BINARY


def suffix_type(name: str) -> str | None:
    """The refused kind a file's name claims (`.exe`, `.html`, `.svg`), if any."""
    lower = name.lower().rstrip(". ")
    dot = lower.rfind(".")
    suffix = lower[dot:] if dot >= 0 else ""
    if suffix in EXECUTABLE_SUFFIXES:
        return EXECUTABLE
    return MARKUP_SUFFIXES.get(suffix)


def extension_for(content_type: str) -> str:
    """The stored file's suffix, from its sniffed type only."""
    return {
        PNG: ".png",
        JPEG: ".jpg",
        GIF: ".gif",
        WEBP: ".webp",
        PDF: ".pdf",
        TEXT: ".txt",
    }.get(content_type, ".bin")

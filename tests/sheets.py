"""Helpers for the spreadsheet tests: read what the doors wrote, build files to upload."""

import csv
import io

from openpyxl import Workbook, load_workbook


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def read_xlsx(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def make_csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def make_xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def as_dicts(rows: list[list]) -> list[dict]:
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]


def table_of(content: bytes, fmt: str):
    from portal.core.spreadsheets import read_table

    return read_table(content, fmt, max_rows=50_000, max_bytes=10 * 1024 * 1024)


def import_rows(resource, user, rows: list[list], fmt: str = "csv", dry_run: bool = False):
    content = make_csv(rows) if fmt == "csv" else make_xlsx(rows)
    return resource.import_data(table_of(content, fmt), dry_run=dry_run, user=user)


def export_bytes(resource, queryset, fmt: str) -> bytes:
    from portal.core.spreadsheets import as_bytes

    return as_bytes(fmt, resource.headers(queryset), resource.rows(queryset))


def problems(result) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.message) for p in result.problems]


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def rewrite_xlsx(data: bytes, name: str, change) -> bytes:
    """The same workbook with one part of the package changed."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, change(content) if info.filename == name else content)
    return out.getvalue()


def xml_bomb_xlsx() -> bytes:
    """A workbook whose sheet XML defines nested entities (a "billion laughs")."""

    def bomb(content: bytes) -> bytes:
        body = content.split(b"?>", 1)[1] if content.startswith(b"<?xml") else content
        return LAUGHS + body.replace(b"hello", b"&lol3;")

    return rewrite_xlsx(
        make_xlsx([["key", "title"], ["OPS-1", "hello"]]), "xl/worksheets/sheet1.xml", bomb
    )


def zip_bomb_xlsx(megabytes: int = 300) -> bytes:
    """A small workbook that claims to expand to hundreds of megabytes."""
    import zipfile

    data = make_xlsx([["key"], ["OPS-1"]])
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        target.writestr("xl/media/padding.bin", b"\0" * (megabytes * 1024 * 1024))
    return out.getvalue()

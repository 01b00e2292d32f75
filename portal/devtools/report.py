"""The benchmark's output: a plain table, a Markdown table (for docs/benchmarks.md) or JSON."""

from __future__ import annotations

import json
from typing import Any

HEADERS = ("measure", "p50 ms", "p95 ms", "queries", "floor ms", "ratio", "target", "met")


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _met(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "NO")


def cells(row: dict[str, Any]) -> list[str]:
    return [
        row["name"],
        _num(row["p50_ms"]),
        _num(row["p95_ms"]),
        "-" if row["queries"] is None else str(row["queries"]),
        _num(row["floor_ms"], 2),
        "-" if row["ratio"] is None else f"{row['ratio']:.1f}x",
        row["target"] or "-",
        _met(row["met"]),
    ]


def _share(scans: list[dict]) -> str:
    """How much of the table the scans read: '5,512 of 100,000 rows' per query."""
    parts = []
    for scan in scans:
        if "read" not in scan:  # a run saved before the command reported it
            return "rows not recorded"
        parts.append(f"{scan['read']:,} of {scan.get('table_rows', 0):,} rows")
    return "; ".join(parts)


def _explain_lines(explain: dict[str, Any]) -> list[str]:
    if "requests" not in explain:
        return [explain.get("note", "")]
    lines = [f"EXPLAIN (ANALYZE): {explain['summary']}"]
    for name, found in explain["requests"].items():
        slowest = found["slowest"]
        top = f"slowest plan {slowest['node']} {slowest['ms']:.1f} ms" if slowest else "no plan"
        tables: dict[str, list[dict]] = {}
        for scan in found["seq_scans"]:
            tables.setdefault(scan["table"], []).append(scan)
        scans = ", ".join(
            f"Seq Scan on {table} in {len(seen)} quer{'y' if len(seen) == 1 else 'ies'}"
            f" (read {_share(seen)})"
            for table, seen in tables.items()
        )
        lines.append(
            f"  {name}: {found['explained']} of {found['queries']} queries explained; "
            f"{scans or 'no Seq Scan on the tasks tables'}; {top}"
        )
    return lines


def text(doc: dict[str, Any]) -> str:
    rows = [HEADERS, *[cells(r) for r in doc["measures"]]]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADERS))]
    out = [_facts(doc), ""]
    for index, row in enumerate(rows):
        out.append(
            "  ".join(
                cell.ljust(w) if i in (0, 6) else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
        if index == 0:
            out.append("  ".join("-" * w for w in widths))
    notes = [f"  {r['name']}: {r['note']}" for r in doc["measures"] if r["note"]]
    if notes:
        out += ["", "Notes:", *notes]
    if doc.get("explain"):
        out += ["", *_explain_lines(doc["explain"])]
    return "\n".join(out)


def markdown(doc: dict[str, Any]) -> str:
    facts = [f"- {line}" for line in _facts(doc).splitlines()]
    out = [*facts, "", "| " + " | ".join(HEADERS) + " | note |"]
    out.append("|" + "---|" * (len(HEADERS) + 1))
    for row in doc["measures"]:
        out.append("| " + " | ".join([*cells(row), row["note"] or ""]) + " |")
    if doc.get("explain"):
        out += ["", "```", *_explain_lines(doc["explain"]), "```"]
    return "\n".join(out)


def _facts(doc: dict[str, Any]) -> str:
    m = doc["machine"]
    db = (
        f"PostgreSQL {m['postgresql']}"
        if "postgresql" in m
        else f"SQLite {m.get('sqlite', '')}".strip()
    )
    counts = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in doc["dataset"]["counts"].items())
    return (
        f"Benchmark of {doc['date']}: {doc['tasks']:,} tasks on {db}, {m['cpus']} CPUs, "
        f"Python {m['python']}, Django {m['django']}, DEBUG off; {doc['iterations']} timed calls "
        f"after {doc['warmup']} warm-up(s).\nData set ({doc['dataset']['seconds']:.1f} s to "
        f"build): {counts}.\nWhole run: {doc['seconds']:.1f} s."
    )


def as_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, default=str)

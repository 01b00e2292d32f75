"""The custom fields' measures (a mixin of `Bench`): the API list filtered and ordered by a
custom field next to the unfiltered list, a create with five custom values next to one
without, and an XLSX import with five custom columns next to the same import without them.
The data set gives every team five fields filled on 80% of its tasks (`data.custom`)."""

from __future__ import annotations

import json

from django.urls import reverse

from portal.devtools.management.commands.benchmark_spreadsheets import (
    Command as SpreadsheetBenchmark,
)
from portal.devtools.timing import Row, counted, percentile, timed

TASKS = "api:task-list"
CF_FILTER = "cf_severity=S1&page_size=50"
CF_ORDER = "ordering=-cf_points&page_size=50"
# The five values of the create measure: one per field of the data set.
CF_VALUES = {
    "severity": "S2",
    "points": 3,
    "component": "billing",
    "review": "2026-12-31",
}


class CustomFieldMeasures:
    """The measures of `Bench` (a mixin: `self` is the bench)."""

    def _unfiltered_50(self) -> float:
        reference = self.rows.get("api_list_50")
        if reference is not None:
            return reference.p50_ms
        samples = timed(self.requests["api_list_50"], iterations=self.iterations, warmup=1)
        return percentile(samples, 0.5)

    def _next_to_list(self, name: str, note: str) -> Row:
        unfiltered = self._unfiltered_50()
        row = self.measure(name, self.requests[name])
        row.floor_ms = unfiltered
        row.ratio = row.p50_ms / unfiltered
        answer = self.requests[name]().json()
        row.note = f"{note}; floor: the unfiltered 50-row list; {answer['count']} tasks" + (
            "" if answer.get("count_exact", True) else " or more"
        )
        return self.judge(row, "p50 <= 2x list_50", row.ratio <= 2)

    def api_cf_filter(self) -> Row:
        return self._next_to_list("api_cf_filter", "custom choice filter cf_severity=S1")

    def api_cf_order(self) -> Row:
        return self._next_to_list("api_cf_order", "ordered by a custom number, -cf_points")

    def api_create_cf(self) -> Row:
        """A create with five custom values; its queries next to the plain create's."""
        team = self.team
        owner = next(u for u in self.data.writers[team.pk] if u != self.data.runner.pk)
        headers = {"Authorization": f"Bearer {self.token}"}

        def create(custom: dict | None):
            payload = {"team": team.pk, "title": "Benchmark task with custom values"}
            if custom is not None:
                payload["custom_fields"] = custom
            response = self._call(
                self.api,
                "post",
                reverse(TASKS),
                201,
                data=json.dumps(payload),
                content_type="application/json",
                headers=headers,
            )
            return response

        values = {**CF_VALUES, "owner": owner}
        # The tasks made stay until the data set is removed, as the plain create's do.
        plain, _ = counted(lambda: create(None))
        row = self.measure("api_create_cf", lambda: create(values))
        floor = percentile(
            timed(lambda: create(None), iterations=self.iterations, warmup=self.warmup), 0.5
        )
        row.floor_ms = floor
        row.ratio = row.p50_ms / floor
        extra = row.queries - plain
        row.extra["extra_queries"] = extra
        row.note = f"5 custom values; {extra:+d} queries next to the same create without them"
        return self.judge(row, "<= 2 extra queries", extra <= 2)

    def sheet_import_cf(self) -> Row:
        """An XLSX import of `cf_sheet_rows` rows with five custom columns, next to the same
        import without them (each run rolled back; best of two, alternating)."""
        sheets = SpreadsheetBenchmark()
        count = self.cf_sheet_rows
        with_custom, without = [], []
        for run in range(2):
            key = f"BNCF{chr(65 + run)}"
            _, took = self._rolled_back(lambda k=key: sheets.portal_import(count, k, custom=True))
            with_custom.append(took * 1000)
            _, took = self._rolled_back(lambda k=key: sheets.portal_import(count, f"{k}P"))
            without.append(took * 1000)
        queries, _ = counted(
            lambda: self._rolled_back(lambda: sheets.portal_import(count, "BNCFQ", custom=True))
        )
        row = Row(
            name="sheet_import_cf",
            p50_ms=min(with_custom),
            queries=queries,
            floor_ms=min(without),
            samples=len(with_custom),
            note=f"{count} XLSX rows with 5 custom columns; floor: the same rows without them",
            extra={"rows": count},
        )
        row.ratio = row.p50_ms / row.floor_ms
        self.rows[row.name] = row
        return self.judge(row, "ratio <= 1.5", row.ratio <= 1.5)

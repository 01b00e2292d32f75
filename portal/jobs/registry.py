"""Job kinds: a name, a label and the function that does the work.

Apps register kinds in their own `jobs.py` with `@register_job(...)`; JobsConfig.ready()
imports every app's `jobs` module, so a worker knows all kinds before the first job arrives.
A job function takes a `JobContext` and the job's params as keywords and returns a JSON-able
dict (the result). It must be idempotent: the watchdog may run it again after a worker died.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

UNKNOWN_KIND = "Unknown job kind: {kind}."


class UnknownJobKind(ValueError):
    pass


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    func: Callable[..., dict[str, Any] | None]
    max_attempts: int | None = None


_KINDS: dict[str, JobKind] = {}


def register_job(name: str, *, label: str, max_attempts: int | None = None) -> Callable:
    def decorator(func: Callable) -> Callable:
        _KINDS[name] = JobKind(name=name, label=label, func=func, max_attempts=max_attempts)
        return func

    return decorator


def get_kind(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise UnknownJobKind(UNKNOWN_KIND.format(kind=name)) from None


def kinds() -> list[JobKind]:
    return sorted(_KINDS.values(), key=lambda k: k.label)


def kind_label(name: str) -> str:
    kind = _KINDS.get(name)
    return kind.label if kind else name

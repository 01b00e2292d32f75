"""Named hooks: how an app lets others react to its changes without importing them.

The app that owns a change (teams owns memberships) makes a `Hook` and calls `send(...)` after
the change, inside its transaction; an app above it (tasks) registers a listener once, at
start-up (`AppConfig.ready`). So every door that makes the change gets the rule, and no import
runs back up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Listener = Callable[..., None]


class Hook:
    def __init__(self, name: str) -> None:
        self.name = name
        self._listeners: list[Listener] = []

    def register(self, listener: Listener) -> Listener:
        """Add `listener` (once); usable as a decorator."""
        if listener not in self._listeners:
            self._listeners.append(listener)
        return listener

    def send(self, **kwargs: Any) -> None:
        """Call every listener with these keywords, in the order they registered."""
        for listener in self._listeners:
            listener(**kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._listeners)} listener(s)>"

"""Check that everything compose.yml names exists.

The compose specification's JSON schema (check-jsonschema --builtin-schema vendor.compose-spec)
checks shapes only: a `depends_on` naming a service that does not exist, or a service using
an undeclared named volume or network, passes it and fails only at `docker compose up`.

    python .ci/compose_refs.py compose.yml     # prints the problems, exits 1 if any
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml


def _names(value) -> list[str]:
    """depends_on / networks may be a list of names or a mapping keyed by name."""
    if isinstance(value, dict):
        return list(value)
    return list(value or [])


def _named_volume(entry) -> str | None:
    """The named volume a service mount uses, or None for bind mounts and tmpfs."""
    if isinstance(entry, dict):
        if entry.get("type", "volume") != "volume":
            return None
        source = entry.get("source")
    else:
        source = str(entry).split(":", 1)[0] if ":" in str(entry) else None
    if not source or source.startswith((".", "/", "~", "$")):
        return None
    return source


def problems(compose: dict) -> list[str]:
    services = compose.get("services") or {}
    volumes = set(compose.get("volumes") or {})
    networks = set(compose.get("networks") or {}) | {"default"}
    found: list[str] = []
    for name, service in services.items():
        service = service or {}
        for dep in _names(service.get("depends_on")):
            if dep not in services:
                found.append(f"service {name!r} depends on unknown service {dep!r}")
            elif dep == name:
                found.append(f"service {name!r} depends on itself")
        for network in _names(service.get("networks")):
            if network not in networks:
                found.append(f"service {name!r} uses undeclared network {network!r}")
        for entry in service.get("volumes") or []:
            volume = _named_volume(entry)
            if volume is not None and volume not in volumes:
                found.append(f"service {name!r} uses undeclared volume {volume!r}")
        for other in service.get("volumes_from") or []:
            target = str(other).split(":", 1)[0]
            if not target.startswith("container") and target not in services:
                found.append(f"service {name!r} takes volumes from unknown service {target!r}")
        extends = service.get("extends")
        if (
            isinstance(extends, dict)
            and "file" not in extends
            and extends.get("service") not in services
        ):
            found.append(f"service {name!r} extends unknown service {extends.get('service')!r}")
    return found


def main(argv: list[str]) -> int:
    path = Path(argv[1] if len(argv) > 1 else "compose.yml")
    compose = yaml.safe_load(path.read_text())
    found = problems(compose)
    for line in found:
        print(f"{path}: {line}", file=sys.stderr)
    if not found:
        print(f"{path}: every service, volume and network named exists")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

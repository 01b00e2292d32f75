"""Install pinned requirements into this interpreter's virtualenv: uv when it can be had, pip if not.

    .venv/bin/python requirements/install.py requirements/dev.txt

uv (pinned below, from the package index) installs the same pins as pip in seconds, printing
what it resolved and installed. It does not read pip's configuration, so the index settings
pip would use here (`pip config list`: index-url, extra-index-url, find-links, constraint,
cert) are handed to it. When uv cannot be installed or fails, pip installs instead, with
its progress shown. Standard library only: it runs before anything is installed.
"""

import os
import shlex
import subprocess
import sys
import time

UV_VERSION = "0.13.8"
# pip's option -> uv's (uv pip install takes the same names for these).
LIST_OPTIONS = {"extra-index-url": "--extra-index-url", "find-links": "--find-links"}
SINGLE_OPTIONS = {"index-url": "--index-url", "constraint": "--constraint"}
# Where pip takes a setting from, strongest first.
SCOPES = (":env:", "install", "global", "site", "user")


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def pip_settings() -> dict[str, str]:
    """pip's configured options (`pip config list`), the strongest scope for each."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True
    )
    found: dict[str, tuple[int, str]] = {}
    for line in result.stdout.splitlines():
        key, _, value = line.partition("=")
        scope, _, option = key.rpartition(".")
        rank = SCOPES.index(scope) if scope in SCOPES else len(SCOPES)
        value = value.strip().strip("'\"")
        if option and (option not in found or rank < found[option][0]):
            found[option] = (rank, value)
    return {option: value for option, (_, value) in found.items()}


def uv_arguments(settings: dict[str, str]) -> list[str]:
    arguments = []
    for option, flag in SINGLE_OPTIONS.items():
        if settings.get(option):
            arguments += [flag, settings[option]]
    for option, flag in LIST_OPTIONS.items():
        for value in settings.get(option, "").split():
            arguments += [flag, value]
    if "extra-index-url" in settings or "find-links" in settings:
        # pip takes the best version from all indexes; uv's default prefers the first index
        # that has the package at all.
        arguments += ["--index-strategy", "unsafe-best-match"]
    return arguments


def compile_arguments(environment) -> list[str]:
    """Byte-compile at install time only where Python may not write it at run time.

    uv leaves compiling to the first import, which writes only the modules a process uses
    (about 1,500 of the 11,650 files installed). With PYTHONDONTWRITEBYTECODE set nothing is
    ever written, so every process would compile them again (Django's start-up took 3x
    longer): then compile everything now, as pip always does.
    """
    return ["--compile-bytecode"] if environment.get("PYTHONDONTWRITEBYTECODE") else []


def uv_environment(settings: dict[str, str]) -> dict[str, str]:
    environment = dict(os.environ)
    if settings.get("cert"):
        environment.setdefault("SSL_CERT_FILE", settings["cert"])
    return environment


def bootstrap_uv() -> bool:
    try:
        from importlib.metadata import version

        if version("uv") == UV_VERSION:
            return True
    except Exception:
        pass
    say(f"Installing uv {UV_VERSION} with pip (it installs the rest)")
    pip = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    return subprocess.run([*pip, f"uv=={UV_VERSION}"]).returncode == 0


def install_with_uv(requirements: str) -> bool:
    settings = pip_settings()
    command = [sys.executable, "-m", "uv", "pip", "install", "--python", sys.executable]
    command += compile_arguments(os.environ)
    command += [*uv_arguments(settings), "-r", requirements]
    say(f"Installing {requirements} with uv: {shlex.join(command[3:])}")
    return subprocess.run(command, env=uv_environment(settings)).returncode == 0


def install_with_pip(requirements: str) -> bool:
    say(f"Installing {requirements} with pip (this takes a minute or two)")
    pip = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check"]
    subprocess.run([*pip, "--quiet", "--upgrade", "pip"])
    return subprocess.run([*pip, "--progress-bar", "on", "-r", requirements]).returncode == 0


def main(requirements: str) -> int:
    started = time.monotonic()
    if os.environ.get("INSTALL_WITH", "uv") == "uv" and bootstrap_uv():
        if install_with_uv(requirements):
            say(f"Installed {requirements} in {time.monotonic() - started:.0f} s")
            return 0
        say("uv failed; trying pip")
    if install_with_pip(requirements):
        say(f"Installed {requirements} in {time.monotonic() - started:.0f} s")
        return 0
    return 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))

"""`make wrk`'s runner: what it says when wrk is missing, and the Lua it hands to wrk.

The measurement itself needs the benchmark's 100,000-task data set and takes minutes: it is run
by hand (docs/load-test.md), never in CI, and no timing is asserted anywhere.
"""

import os
import subprocess
import sys
from pathlib import Path

from tests.load import wrk

ROOT = Path(__file__).resolve().parents[2]


def test_without_wrk_the_runner_says_how_to_get_it(tmp_path):
    result = subprocess.run(
        [sys.executable, "tests/load/wrk.py"],
        cwd=ROOT,
        env={**os.environ, "PATH": str(tmp_path)},  # an empty folder: no wrk on PATH
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert wrk.NO_WRK in result.stderr
    assert "apt-get install wrk" in wrk.NO_WRK


def test_the_lua_script_lists_each_person_once_with_their_token():
    people = [(7, "token-a"), (12, "token-b")]
    script = wrk.SCRIPT.format(people=wrk.lua_people(people))
    assert 'local people = {{7, "token-a"}, {12, "token-b"}}' in script
    assert '"/devtools/floor/tasks/?user=" .. person[1]' in script
    assert '"Bearer " .. person[2]' in script
    assert "WRK-JSON {" in script

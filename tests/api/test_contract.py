"""The API keeps its OpenAPI contract: schemathesis, every check, every phase, 0 failures.

The portal runs under a live server; schemathesis's command line (the same run people make by
hand) tests every operation as a person who belongs to many teams (a lead of some, a member of
the others), with a fixed seed: examples, boundary values and wrong types (coverage), random
cases (fuzzing) and sequences that follow the schema's links (stateful). `--checks all`
includes refusing what the schema refuses and accepting what it allows.
"""

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import override_settings
from django.test.testcases import QuietWSGIRequestHandler
from rest_framework.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken

from portal.accounts.models import User
from portal.api.schema import REFUSALS
from portal.jobs.runner import run_job
from portal.spreadsheets.services import sheet_export_start
from portal.tasks.services import comment_add, task_create
from portal.teams.models import Role
from tests.factories import MembershipFactory, TagFactory, TeamFactory, UserFactory

TEAMS = 20
LEAD_OF = 2
SEED = 17
EXAMPLES = 25
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# More arguments for a longer run by hand: CONTRACT_EXTRA="--seed 3 --max-examples 100".
# The only allowance: operations whose schema documents a 400 for well-formed requests
# refused by a rule about data (portal.api.schema.REFUSALS) may answer it to schema-valid
# requests. Everything else must accept every request the schema allows.
ALLOWED_FOR_VALID = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]


def _config(tmp_path) -> Path:
    names = ", ".join(f'"{method.upper()} {path}"' for method, path in REFUSALS)
    statuses = ", ".join(f'"{code}"' for code in ALLOWED_FOR_VALID)
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        f"[[operations]]\ninclude-name = [{names}]\n"
        f"checks.positive_data_acceptance.expected-statuses = [{statuses}]\n"
    )
    return config


@pytest.fixture
def probe(transactional_db, settings, tmp_path):
    """A person in TEAMS teams with people, tasks, tags and comments around them."""
    settings.SHARED_DIR = tmp_path
    person = UserFactory(username="probe")
    seeds = []
    for n in range(TEAMS):
        team = TeamFactory()
        role = Role.LEAD if n < LEAD_OF else Role.MEMBER
        MembershipFactory(user=person, team=team, role=role)
        if role != Role.LEAD:
            MembershipFactory(team=team, role=Role.LEAD)
        MembershipFactory(team=team, role=Role.VIEWER)
        seeds.append((team, TagFactory()))
    person = User.objects.get(pk=person.pk)  # roles are read once per instance
    for team, tag in seeds:
        task = task_create(actor=person, team=team, title="Seed", tags=[tag], assignees=[person])
        comment_add(actor=person, task=task, body="Seed comment")
    UserFactory(username="newcomer")
    run_job(sheet_export_start(user=person, sheet="tasks", fmt="csv").pk)
    return person


@pytest.fixture
def unthrottled():
    rates = dict.fromkeys(api_settings.DEFAULT_THROTTLE_RATES, "1000000/min")
    with override_settings(
        REST_FRAMEWORK={**django_settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ):
        yield


@pytest.fixture
def prompt_answers(monkeypatch):
    """The live server writes an answer's headers and body separately; with Nagle's algorithm
    the body then waits for the client's delayed ACK (~40 ms a request, most of the run)."""
    monkeypatch.setattr(QuietWSGIRequestHandler, "disable_nagle_algorithm", True)


def test_schemathesis_finds_no_failures(live_server, probe, unthrottled, prompt_answers, tmp_path):
    access = RefreshToken.for_user(probe).access_token
    base = live_server.url.replace("localhost", "127.0.0.1")
    command = [
        str(SCHEMATHESIS),
        "--no-color",
        "--config-file",
        str(_config(tmp_path)),
        "run",
        f"{base}/api/schema/?format=json",
        "--url",
        base,
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--seed",
        str(SEED),
        "--max-examples",
        str(EXAMPLES),
        "--workers",
        "1",
        "--header",
        f"Authorization: Bearer {access}",
        "--suppress-health-check",
        "all",
        "--warnings",
        "off",
        "--generation-database",
        "none",
    ]
    command += shlex.split(os.environ.get("CONTRACT_EXTRA", ""))
    run = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]

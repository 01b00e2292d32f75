"""The load test's users: people who use the JSON API and look at their team's board.

Each user signs in through the API as one of the configured people (spread over them in
turn), reads once which teams, members and tags it may use, then keeps picking actions:
list, filter, search, detail, create (with assignees and tags of its team), comment, the
team board (signed in through the sign-in form, as a browser) and token refresh. Every user
first does each action (and each filter and search variant) once, starting at a place of its
own in that round, then picks them by weight (tests/load/mix.py), so a short run exercises the
whole mix.

Run it through tests/load/run.py (or `make loadtest`), which starts the server. Settings come
from the environment:

    LOAD_PEOPLE     who signs in, comma-separated; `name{1-50}` stands for name1 ... name50
                    (default: the demo's leads and members)
    LOAD_PASSWORD   their password (default: the demo's)
    LOAD_PAGE_SIZE  page size of lists, filters and searches (default 50)
    LOAD_WAIT       seconds each user waits between actions, "min,max" (default "0.5,2")
    LOAD_PROXY      "1" (default): send what the TLS proxy in front of the portal adds
                    (X-Forwarded-Proto: https and a client address of the user's own)
"""

from __future__ import annotations

import itertools
import os
import random
import re
import sys
from pathlib import Path

from gevent.lock import Semaphore
from locust import HttpUser, between, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.load import mix

WRITE_ROLES = {"lead", "member"}
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_WORD = re.compile(r"[A-Za-z]{5,}")


def wait_range(spec: str) -> tuple[float, float]:
    low, _, high = spec.partition(",")
    return float(low), float(high or low)


PEOPLE = mix.people(os.environ.get("LOAD_PEOPLE", mix.DEMO_PEOPLE))
PASSWORD = os.environ.get("LOAD_PASSWORD", mix.DEMO_PASSWORD)
PAGE_SIZE = int(os.environ.get("LOAD_PAGE_SIZE", "50"))
WAIT = wait_range(os.environ.get("LOAD_WAIT", "0.5,2"))
MIX = mix.weights(os.environ.get("LOAD_MIX"))
PROXY = os.environ.get("LOAD_PROXY", "1") == "1"

# Shared by all users of this process: who signs in next, and which variant comes next.
_user_numbers = itertools.count()
_filters = itertools.cycle(mix.FILTER_NAMES)
_searches = itertools.cycle(mix.SEARCH_NAMES)
# One browser per person: the users who are the same person share the page session (tabs of
# one browser), so each person signs in through the form once. API tokens stay per user,
# since every refresh rotates the refresh token.
_page_cookies: dict[str, dict[str, str]] = {}
_page_locks: dict[str, Semaphore] = {}


class Person(HttpUser):
    wait_time = between(*WAIT)

    def on_start(self):
        number = next(_user_numbers)
        self.username = PEOPLE[number % len(PEOPLE)]
        if PROXY:
            # One address per user, as 50 people on 50 machines: the per-address sign-in
            # throttle and lockout see what they would see in production.
            self.client.headers["X-Forwarded-Proto"] = "https"
            self.client.headers["X-Forwarded-For"] = f"10.77.{number // 250}.{number % 250 + 1}"
        self.task_ids: list[int] = []
        self.writable_task_ids: list[int] = []
        self.keys: list[str] = []
        self.words: set[str] = set(filter(None, os.environ.get("LOAD_SEARCH", "").split(",")))
        self.page_session = False
        self._sign_in()
        self._look_around()
        # Each action (each filter and search variant too) once, after a first list that shows
        # which tasks, keys and words there are. Users start the round at evenly spread places,
        # so that together they cover it early even when each has time for a few actions only.
        rest = [(a, None) for a in MIX if a not in ("list", "filter", "search")]
        rest += [("filter", n) for n in mix.FILTER_NAMES if "filter" in MIX]
        rest += [("search", n) for n in mix.SEARCH_NAMES if "search" in MIX]
        users = max(getattr(self.environment.parsed_options, "num_users", None) or 1, 1)
        start = (number % users) * len(rest) // min(users, len(rest)) % len(rest) if rest else 0
        # The first list shows which tasks there are, whatever the mix.
        self.first_round = [("list", None), *rest[start:], *rest[:start]]

    # --- helpers --------------------------------------------------------------------------

    def _json(self, response, expected: int):
        """The body of a response with the expected status, or None (and a failure)."""
        if response.status_code != expected:
            response.failure(f"{response.status_code} {response.text[:200]}")
            return None
        try:
            body = response.json()
        except ValueError:
            response.failure("the body is not JSON")
            return None
        response.success()
        return body

    def _use_tokens(self, body: dict) -> None:
        self.refresh_token = body["refresh"]
        self.client.headers["Authorization"] = f"Bearer {body['access']}"

    def _sign_in(self) -> None:
        payload = {"username": self.username, "password": PASSWORD}
        with self.client.post(
            "/api/auth/login/", json=payload, name=mix.LOGIN, catch_response=True
        ) as response:
            body = self._json(response, 200)
        if body is None:
            raise StopUser()
        self._use_tokens(body)

    def _look_around(self) -> None:
        """Which teams this person works in, who may be assigned there, which tags exist."""
        with self.client.get(
            "/api/teams/?page_size=100", name=mix.TEAMS, catch_response=True
        ) as response:
            body = self._json(response, 200)
        teams = body["results"] if body else []
        writable = [t for t in teams if t["my_role"] in WRITE_ROLES]
        self.team = random.choice(writable or teams) if teams else None
        self.writable_team_ids = {t["id"] for t in writable}
        self.assignee_ids: list[int] = []
        self.tag_ids: list[int] = []
        if self.team is None:
            return
        with self.client.get(
            f"/api/teams/{self.team['id']}/members/?page_size=100",
            name=mix.MEMBERS,
            catch_response=True,
        ) as response:
            body = self._json(response, 200)
        if body:
            self.assignee_ids = [
                m["user"]["id"] for m in body["results"] if m["role"] in WRITE_ROLES
            ]
        with self.client.get("/api/tags/?page_size=100", name=mix.TAGS, catch_response=True) as r:
            body = self._json(r, 200)
        if body:
            self.tag_ids = [t["id"] for t in body["results"]]

    def _remember(self, rows: list[dict]) -> None:
        """Tasks seen in lists: what detail, comment and search pick from next."""
        for row in rows:
            self.task_ids.append(row["id"])
            if row["team"] in self.writable_team_ids:
                self.writable_task_ids.append(row["id"])
            self.keys.append(row["key"])
            self.words.update(w.lower() for w in _WORD.findall(row["title"]))
        # Bounded memory, newest last.
        del self.task_ids[:-200], self.writable_task_ids[:-200], self.keys[:-200]

    def _list(self, query: str, name: str) -> None:
        with self.client.get(
            f"/api/tasks/?page_size={PAGE_SIZE}{query}", name=name, catch_response=True
        ) as response:
            body = self._json(response, 200)
        if body is not None:
            self._remember(body["results"])

    def _keep_cookies_on_loopback(self) -> None:
        """The portal marks its cookies Secure (as in production), and the TLS proxy in front
        of it speaks plain HTTP to it: keep sending them on this plain-HTTP leg."""
        for cookie in self.client.cookies:
            cookie.secure = False

    def _sign_in_page(self) -> None:
        """Sign in through the sign-in form as a browser does: GET it for the CSRF token and
        cookie, POST it back with the token and a same-origin Referer."""
        with self.client.get(
            "/accounts/login/", name=mix.PAGE_LOGIN_FORM, catch_response=True
        ) as response:
            token = _CSRF_INPUT.search(response.text or "")
            if response.status_code != 200 or token is None:
                response.failure(f"{response.status_code}: no sign-in form")
                return
            response.success()
        self._keep_cookies_on_loopback()
        form = {"login": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token[1]}
        referer = self.host.replace("http://", "https://", 1) if PROXY else self.host
        with self.client.post(
            "/accounts/login/",
            data=form,
            headers={"Referer": f"{referer}/accounts/login/"},
            allow_redirects=False,
            name=mix.PAGE_LOGIN,
            catch_response=True,
        ) as response:
            target = response.headers.get("Location", "")
            if response.status_code != 302 or "/accounts/login" in target:
                response.failure(f"{response.status_code}: not signed in ({target!r})")
                return
            response.success()
        self._keep_cookies_on_loopback()
        _page_cookies[self.username] = {c.name: c.value for c in self.client.cookies}

    # --- the mix ----------------------------------------------------------------------------

    @task
    def act(self):
        if self.first_round:
            action, variant = self.first_round.pop(0)
        else:
            action = random.choices(list(MIX), weights=list(MIX.values()))[0]
            variants = {"filter": _filters, "search": _searches}.get(action)
            variant = next(variants) if variants else None
        if variant is None:
            getattr(self, f"do_{action}")()
        else:
            getattr(self, f"do_{action}")(variant)

    def do_list(self):
        self._list("", mix.LIST)

    def do_filter(self, name: str):
        query = {
            mix.FILTER_STATUS: f"&status={random.choice(['todo', 'in_progress', 'todo,blocked'])}",
            mix.FILTER_PRIORITY: f"&priority={random.choice(['high', 'urgent', 'high,urgent'])}",
            mix.FILTER_ASSIGNEE_ME: "&assignee=me",
            mix.FILTER_OVERDUE: "&overdue=true",
        }[name]
        self._list(query, name)

    def do_search(self, name: str):
        if name == mix.SEARCH_KEY and self.keys:
            term = random.choice(self.keys)
        elif self.words:
            name, term = mix.SEARCH_WORD, random.choice(sorted(self.words))
        else:
            name, term = mix.SEARCH_WORD, "deploy"
        self._list(f"&search={term}", name)

    def do_detail(self):
        if not self.task_ids:
            self.do_list()
        if self.task_ids:
            task_id = random.choice(self.task_ids)
            with self.client.get(
                f"/api/tasks/{task_id}/", name=mix.DETAIL, catch_response=True
            ) as response:
                self._json(response, 200)

    def do_create(self):
        if self.team is None or self.team["id"] not in self.writable_team_ids:
            return self.do_list()
        payload = {
            "team": self.team["id"],
            "title": f"Load test: {random.choice(['check', 'renew', 'review'])} {random.randrange(10**6)}",
            "description": "Written by the load test.",
            "priority": random.choice(["low", "medium", "high", "urgent"]),
            "assignee_ids": random.sample(self.assignee_ids, min(2, len(self.assignee_ids))),
            "tag_ids": random.sample(self.tag_ids, min(2, len(self.tag_ids))),
        }
        with self.client.post(
            "/api/tasks/", json=payload, name=mix.CREATE, catch_response=True
        ) as response:
            body = self._json(response, 201)
        if body is not None:
            self._remember([body])

    def do_comment(self):
        if not self.writable_task_ids:
            self.do_list()
        if not self.writable_task_ids:
            return self.do_create()
        task_id = random.choice(self.writable_task_ids)
        with self.client.post(
            f"/api/tasks/{task_id}/comments/",
            json={"body": "Looked at this during the load test."},
            name=mix.COMMENT,
            catch_response=True,
        ) as response:
            self._json(response, 201)

    def do_board(self):
        if self.team is None:
            return self.do_list()
        if not self.page_session:
            with _page_locks.setdefault(self.username, Semaphore()):
                if self.username not in _page_cookies:
                    self._sign_in_page()
                for name, value in _page_cookies.get(self.username, {}).items():
                    self.client.cookies.set(name, value)
                self.page_session = self.username in _page_cookies
        if not self.page_session:
            return
        with self.client.get(
            f"/teams/{self.team['slug']}/",
            name=mix.BOARD,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200 or 'id="board"' not in response.text:
                response.failure(f"{response.status_code}: not the board")
            else:
                response.success()
        self._keep_cookies_on_loopback()

    def do_refresh(self):
        with self.client.post(
            "/api/auth/token/refresh/",
            json={"refresh": self.refresh_token},
            name=mix.REFRESH,
            catch_response=True,
        ) as response:
            body = self._json(response, 200)
        if body is not None:
            self._use_tokens(body)

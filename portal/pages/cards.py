"""Board cards as the templates show them, computed once per card in Python.

A board shows up to 200 cards; the template then only prints strings (no model methods, no
filters, no relation look-ups per card).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html_join

from portal.accounts.models import display_name
from portal.attachments.selectors import card_images
from portal.tasks.due import due_text
from portal.tasks.keys import task_key
from portal.tasks.models import Priority, Status
from portal.tasks.permissions import take_refusal
from portal.tasks.selectors import board_card_custom, board_card_links

PRIORITY_LABELS = dict(Priority.choices)
# A task number no task has, standing for "the number here" in an address reversed once.
NUMBER = 987654321
CARD_URLS = {"url": "pages:task", "move_url": "pages:task_move", "take_url": "pages:task_take"}


def initials(first_name: str, last_name: str, username: str) -> str:
    first, last = (first_name or "").strip(), (last_name or "").strip()
    if first and last:
        return (first[0] + last[0]).upper()
    return (first or last or username)[:2].upper()


def cards(rows: list[dict], user, team) -> list[dict]:
    """The rows of `board_cards` with their people and tags, ready to print (two queries).

    Each address is reversed once per board, not three times per card: the number is the only
    part that changes, and it is the last variable part of each address.
    """
    links = board_card_links(row["id"] for row in rows)
    custom = board_card_custom(team, [row["id"] for row in rows])
    urls = {
        key: reverse(name, args=[team.slug, NUMBER]).rsplit(str(NUMBER), 1)
        for key, name in CARD_URLS.items()
    }
    # Written once per board, however many cards share them: due days and people.
    seen = {"days": {}, "people": {}, "zone": timezone.get_current_timezone(), "team": team.pk}
    cards = [_card(row, links[row["id"]], user, urls, seen) for row in rows]
    # The first image of each task, when the team shows them on cards (one query when not).
    images = card_images(fetched_by=user, team=team, task_ids=[row["id"] for row in rows])
    for card, row in zip(cards, rows, strict=True):
        card["custom"] = custom.get(row["id"], [])
        image = images.get(row["id"])
        card["image_url"] = (
            reverse("pages:attachment_thumbnail", args=[team.slug, row["number"], image.pk])
            if image
            else ""
        )
    return cards


def _move_buttons(current: str) -> str:
    """The card menu's "Move to ..." buttons, one per other status: the same for every card of
    a column. Each posts its status with the menu's form (the pressed button's value)."""
    return format_html_join(
        "",
        '<button class="card-menu-item" type="submit" name="status" value="{}">Move to {}</button>',
        ((value, label) for value, label in Status.choices if value != current),
    )


MOVE_BUTTONS = {value: _move_buttons(value) for value in Status.values}


def _due(row: dict, seen: dict) -> str:
    """The card's due date: the day, or the moment, as every page words it."""
    value, day = row["due_date"], row["due_day"]
    if value is None:
        return ""
    given = day if day is not None else value.astimezone(seen["zone"]).replace(second=0)
    days = seen["days"]
    if given not in days:
        days[given] = due_text(value, day)
    return days[given]


def _person(someone: dict, seen: dict) -> dict:
    people = seen["people"]
    if someone["id"] not in people:
        names = someone["first_name"], someone["last_name"], someone["username"]
        people[someone["id"]] = {"name": display_name(*names), "initials": initials(*names)}
    return people[someone["id"]]


def _card(row: dict, links: dict, user, urls: dict, seen: dict) -> dict:
    people = links["assignees"]
    take_refused = take_refusal(
        user,
        seen["team"],
        status=row["status"],
        is_archived=row["is_archived"],
        assignee_ids=[someone["id"] for someone in people],
    )
    number = str(row["number"])
    # Values printed several times per card are escaped here, once (the template leaves safe
    # text alone); the id is text already, or the template would localise it five times.
    return {
        **{key: escape(f"{start}{number}{end}") for key, (start, end) in urls.items()},
        "moves": MOVE_BUTTONS.get(row["status"], ""),
        "pk": escape(row["id"]),
        # What the card's element ids end with: the id, or on a swimlane board lane and id.
        "dom": escape(row["id"]),
        "key": escape(task_key(row["team__key"], number)),
        "number": row["number"],
        "title": row["title"],
        "status": escape(row["status"]),
        "priority": row["priority"],
        "priority_label": PRIORITY_LABELS.get(row["priority"], row["priority"]),
        "due": _due(row, seen),
        "is_overdue": row["is_overdue"],
        "tags": links["tags"],
        "people": [_person(someone, seen) for someone in people],
        "can_take": not take_refused,
    }

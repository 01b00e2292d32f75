"""Saved views' services: who may save, share, make default, rename and delete; names and
filters refused with a clear message, never stored as given."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.core.validators import CONTROL_CHARACTER, NUL_CHARACTER
from portal.savedviews import permissions as view_perms
from portal.savedviews.models import MY_WORK_PRIVATE, NAME_TAKEN, PageKind, SavedView
from portal.savedviews.services import (
    NO_MY_WORK_BOARD,
    saved_view_create,
    saved_view_delete,
    saved_view_make_default,
    saved_view_rename,
    saved_view_share,
    saved_view_update,
)

LIST, BOARD, CALENDAR = PageKind.LIST, PageKind.BOARD, PageKind.CALENDAR


def create(actor, team, name="Urgent", kind=LIST, **kwargs):
    return saved_view_create(actor=actor, team=team, kind=kind, name=name, **kwargs)


def messages(exc) -> list[str]:
    return [m for ms in exc.value.message_dict.values() for m in ms]


def test_a_view_keeps_the_pages_filters_and_leaves_the_rest_out(member, team):
    view = create(
        member,
        team,
        params={
            "status": ["todo", "blocked"],  # repeated, as the filter form sends them
            "ordering": "-priority",
            "page": "3",  # moves through the list: not part of a view
            "column": "done",
            "team": "99",  # a view's team is its own
            "nonsense": "x",
            "search": "  ",
        },
    )
    assert view.params == {"ordering": "-priority", "status": "todo,blocked"}


def test_filters_the_list_would_refuse_are_refused_with_their_message(member, team):
    for params, expected in [
        ({"overdue": "maybe"}, 'Filter overdue: Enter "true" or "false".'),
        ({"assignee": "9" * 30}, "Filter assignee:"),
        ({"cf_size": "big"}, "Filter cf_size:"),
        ({"status": "todo,gone"}, "Filter status:"),
        ({"search": "x" * 201}, "at most 200 characters"),
        ({"search": "a\x00b"}, NUL_CHARACTER),
        ({"tag": "a\x07b"}, CONTROL_CHARACTER),
        ({"status": {"nested": ["todo"]}}, "a set of names and text values"),
        ({"status": 7}, "a set of names and text values"),
        ("status=todo", "a set of names and text values"),
    ]:
        with pytest.raises(ValidationError) as exc:
            create(member, team, params=params)
        assert any(expected in m for m in messages(exc)), (params, messages(exc))
    assert not SavedView.objects.exists()


def test_page_kinds_keep_their_own_parameters(lead, team):
    calendar = create(lead, team, kind=CALENDAR, params={"view": "week", "month": "2026-12"})
    assert calendar.params == {"view": "week"}
    board = create(lead, team, kind=BOARD, params={"group": "assignee", "view": "week"})
    assert board.params == {"group": "assignee"}
    with pytest.raises(ValidationError) as exc:
        create(lead, team, name="Bad", kind=CALENDAR, params={"view": "year"})
    assert "view cannot be 'year' on this page." in messages(exc)


def test_names_are_unique_per_person_team_and_page_ignoring_case(member, member2, team, lead):
    create(member, team, name="Urgent")
    for name in ("Urgent", "URGENT", " urgent "):
        with pytest.raises(ValidationError) as exc:
            create(member, team, name=name)
        assert messages(exc) == [NAME_TAKEN]
    create(member, team, name="Urgent", kind=BOARD)  # another page
    create(member2, team, name="Urgent")  # another person
    create(member, None, name="Urgent")  # My work
    with pytest.raises(ValidationError):
        create(member, None, name="urgent")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("a\x00b", NUL_CHARACTER),
        ("x" * 10_000, "at most 80 characters"),
        ("tab\there", CONTROL_CHARACTER),
        ("", "This field cannot be blank."),
        ("   ", "This field cannot be blank."),
    ],
)
def test_hostile_names_are_refused(member, team, name, message):
    with pytest.raises(ValidationError) as exc:
        create(member, team, name=name)
    assert any(message in m for m in messages(exc)), messages(exc)


def test_right_to_left_names_are_kept_as_written(member, team):
    name = "\u202e\u0645\u0647\u0627\u0645 \u0639\u0627\u062c\u0644\u0629"  # U+202E, Arabic
    assert create(member, team, name=name).name == name


def test_sharing_and_the_default_are_the_leads(member, lead, superuser, team, viewer):
    with pytest.raises(PermissionDenied, match=re.escape(view_perms.DENIED_SHARE)):
        create(member, team, shared=True)
    with pytest.raises(PermissionDenied, match=re.escape(view_perms.DENIED_SHARE)):
        create(member, team, is_default=True)
    mine = create(member, team)
    with pytest.raises(PermissionDenied, match=re.escape(view_perms.DENIED_SHARE)):
        saved_view_share(actor=member, view=mine)
    assert create(viewer, team, name="Viewer's").shared is False  # viewers save private views
    shared = create(lead, team, name="Team", shared=True)
    assert shared.shared and not shared.is_default
    default = create(superuser, team, name="Root's", is_default=True)
    assert default.shared and default.is_default  # a default is always shared


def test_one_default_per_team_and_page(lead, team):
    first = create(lead, team, name="First", is_default=True)
    second = create(lead, team, name="Second", shared=True)
    calendar = create(lead, team, name="Calendar", kind=CALENDAR, is_default=True)
    saved_view_make_default(actor=lead, view=second)
    first.refresh_from_db()
    assert not first.is_default and first.shared
    assert SavedView.objects.get(pk=calendar.pk).is_default  # another page keeps its default
    saved_view_share(actor=lead, view=second, shared=False)
    second.refresh_from_db()
    assert not second.shared and not second.is_default  # not shared: not the default either
    saved_view_make_default(actor=lead, view=first)
    saved_view_make_default(actor=lead, view=first, default=False)
    first.refresh_from_db()
    assert first.shared and not first.is_default


def test_views_of_my_work_stay_private_and_have_no_board(lead, team):
    with pytest.raises(ValidationError) as exc:
        create(lead, None, shared=True)
    assert messages(exc) == [MY_WORK_PRIVATE]
    with pytest.raises(ValidationError) as exc:
        create(lead, None, kind=BOARD)
    assert messages(exc) == [NO_MY_WORK_BOARD]
    mine = create(lead, None)
    with pytest.raises(ValidationError):
        saved_view_make_default(actor=lead, view=mine)


def test_owners_rename_and_delete_leads_also_shared_views(member, member2, lead, team):
    mine = create(member, team)
    assert saved_view_rename(actor=member, view=mine, name="Renamed").name == "Renamed"
    for someone in (member2, lead):
        with pytest.raises(PermissionDenied, match=re.escape(view_perms.DENIED_CHANGE)):
            saved_view_rename(actor=someone, view=mine, name="Theirs")
        with pytest.raises(PermissionDenied):
            saved_view_delete(actor=someone, view=mine)
    shared = create(lead, team, name="Team", shared=True)
    with pytest.raises(PermissionDenied):
        saved_view_rename(actor=member, view=shared, name="Mine now")
    with pytest.raises(PermissionDenied):
        saved_view_delete(actor=member, view=shared)
    with pytest.raises(PermissionDenied):
        saved_view_update(actor=member, view=shared, params={"open": "true"})
    saved_view_delete(actor=member, view=mine)
    saved_view_delete(actor=lead, view=shared)
    assert not SavedView.objects.exists()


def test_outsiders_cannot_save_views_of_a_team(outsider, team):
    with pytest.raises(PermissionDenied, match=re.escape(view_perms.DENIED_TEAM)):
        create(outsider, team)


def test_a_rename_to_a_taken_name_is_refused(member, team):
    create(member, team, name="One")
    two = create(member, team, name="Two")
    with pytest.raises(ValidationError) as exc:
        saved_view_rename(actor=member, view=two, name="one")
    assert messages(exc) == [NAME_TAKEN]


def test_unknown_changes_are_refused(member, team):
    view = create(member, team)
    with pytest.raises(ValidationError):
        saved_view_update(actor=member, view=view, owner=member)

"""Control characters in names and short text are refused where they are stored.

XML (so every XLSX writer) and most screens cannot carry them: a first name "Mar\\u0001cus"
once broke the team report's spreadsheet for the whole team. Longer text keeps its tabs and
line breaks.
"""

import pytest

from portal.core.validators import CONTROL_CHARACTER

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["Mar\x01cus", "Mar\x1fcus", "Mar\ncus", "Mar\tcus", "Mar\x0bcus"])
def test_a_profile_name_with_a_control_character_is_refused(client_for, member, name):
    response = client_for(member).patch("/api/auth/user/", {"first_name": name}, format="json")
    assert response.status_code == 400
    assert response.json() == {"first_name": [CONTROL_CHARACTER]}
    member.refresh_from_db()
    assert member.first_name != name


def test_task_text_keeps_tabs_and_line_breaks_in_the_description_only(client_for, team, member):
    client = client_for(member)
    body = {"team": team.pk, "title": "Fix\x07it", "description": "a\tb\r\nc"}
    response = client.post("/api/tasks/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"title": [CONTROL_CHARACTER]}
    response = client.post("/api/tasks/", {**body, "title": "Fix it"}, format="json")
    assert response.status_code == 201
    assert response.json()["description"] == "a\tb\r\nc"
    response = client.post(
        "/api/tasks/", {**body, "title": "Ring", "description": "bell\x07"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"description": [CONTROL_CHARACTER]}

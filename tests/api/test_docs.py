"""The API docs: sign-in doors need no token, and nothing is loaded from third parties."""

import pytest

NO_TOKEN = [
    "/api/auth/login/",
    "/api/auth/logout/",
    "/api/auth/registration/",
    "/api/auth/password/reset/",
    "/api/auth/password/reset/confirm/",
    "/api/auth/token/refresh/",
    "/api/auth/token/verify/",
]


@pytest.fixture
def schema(anon, db):
    return anon.get("/api/schema/", HTTP_ACCEPT="application/json").json()


@pytest.mark.parametrize("path", NO_TOKEN)
def test_sign_in_doors_ask_for_no_token(schema, path):
    # Swagger UI draws a padlock on any operation with a security requirement.
    assert "security" not in schema["paths"][path]["post"]


def test_doors_that_need_a_token_still_say_so(schema):
    assert {"jwtAuth": []} in schema["paths"]["/api/auth/user/"]["get"]["security"]
    assert {"jwtAuth": []} in schema["paths"]["/api/auth/password/change/"]["post"]["security"]


def test_redoc_page_allows_no_third_party_images(anon, db):
    response = anon.get("/api/redoc/")
    policy = response.headers["Content-Security-Policy"]
    img_src = next(d for d in policy.split(";") if d.strip().startswith("img-src"))
    assert "https://" not in img_src
    assert "/static/portal/redoc-offline.js" in response.content.decode()


def test_the_docs_link_back_to_the_team_pages_and_the_admin(schema):
    description = schema["info"]["description"]
    assert "(/teams/)" in description and "(/admin/)" in description

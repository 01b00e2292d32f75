def test_favicon_ico_points_at_the_portal_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/portal/favicon.svg"
    assert "max-age=86400" in response["Cache-Control"]

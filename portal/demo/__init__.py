"""The demo: `manage.py demo` loads the demo teams, people and tasks from fixtures/ once and makes
sure the demo superuser exists (`make run` calls it). A door: it writes into every app. The
fixtures themselves are built by a development tool (`manage.py build_demo_fixtures`)."""

"""The admin shell: the site, sidebar, dashboard, shared admin bases and the admin pages that span
apps (people with their teams, teams with their task counts), plus the demo command.

It is a door: it sits above every domain app and nothing in the domain imports it.
"""

"""The admin door: the site, sidebar, dashboard, the spreadsheet views and the admin pages that
span apps (people with their teams, teams with their task counts).

It sits above every domain app and nothing in the domain imports it; the apps' own admins are
built from the admin kit (`portal.adminkit`) below them.
"""

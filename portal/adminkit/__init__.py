"""The admin kit: the pieces every app's admin is built from (the service-backed base, lean rows,
searchable filters, bounded form fields, the paginator that never counts).

It sits just above `accounts` and below every domain app, so each app's admin module can use it;
it imports only `core` and `accounts` (and Django, unfold, simple-history). The admin door
(`portal.adminsite`: the site, dashboard, cross-app pages, spreadsheet views) is built on top.
"""

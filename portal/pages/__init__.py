"""The team pages: a login-protected door onto the same selectors and services as the admin.

Server-rendered templates with htmx for in-place updates; every read goes through the task
selectors and the one task filter set, every write through the services. Nothing imports this
package except the URL conf and settings (tests/test_layers.py).
"""

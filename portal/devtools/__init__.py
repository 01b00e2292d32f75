"""`manage.py benchmark`: a scratch data set, every door measured next to its floor.

A door-floor tool: it measures the API, the admin, the team pages and the jobs through their
public entrances (HTTP through django.test.Client, the job functions), so it keeps working
whatever those doors change inside. See docs/benchmarks.md.
"""

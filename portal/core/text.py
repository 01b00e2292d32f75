"""Small pieces of wording shared by every door."""


def count(n: int, singular: str, plural: str | None = None) -> str:
    """ "1 task", "2 tasks", "0 tasks": messages say how many in words, not "task(s)"."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"

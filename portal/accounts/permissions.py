"""Rules about people that need no team: who is an administrator."""


def is_superuser(user) -> bool:
    """An active, signed-in administrator."""
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)

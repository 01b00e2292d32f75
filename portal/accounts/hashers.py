"""Password hashing: Argon2id with OWASP's recommended parameters.

Django's own Argon2 hasher uses 100 MiB and 8 lanes per hash; OWASP's Password Storage Cheat
Sheet recommends Argon2id with at least 19 MiB, 2 iterations and 1 degree of parallelism, which
keeps each sign-in's hashing well under a tenth of a second on a small server while staying
memory-hard. The algorithm name is unchanged, so hashes carry their own parameters and old
ones keep verifying; Django rehashes a password with these parameters at its next sign-in.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class PortalArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1

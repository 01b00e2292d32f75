"""Passwords are hashed with Argon2id at OWASP's parameters; older hashes are upgraded."""

from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.test import override_settings

from portal.settings.accounts import PASSWORD_HASHERS


@override_settings(PASSWORD_HASHERS=PASSWORD_HASHERS)
def test_new_passwords_use_argon2id_with_owasp_parameters():
    encoded = make_password("Sunny-Harbour-2026!")
    assert identify_hasher(encoded).algorithm == "argon2"
    # argon2$argon2id$v=19$m=19456,t=2,p=1$...
    assert encoded.split("$")[1:3] == ["argon2id", "v=19"]
    assert encoded.split("$")[3] == "m=19456,t=2,p=1"


@override_settings(PASSWORD_HASHERS=PASSWORD_HASHERS)
def test_an_old_pbkdf2_hash_is_upgraded_at_sign_in(member):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    member.password = PBKDF2PasswordHasher().encode("Sunny-Harbour-2026!", "salt1234salt")
    member.save(update_fields=["password"])
    assert member.check_password("Sunny-Harbour-2026!")
    member.refresh_from_db()
    assert identify_hasher(member.password).algorithm == "argon2"
    assert check_password("Sunny-Harbour-2026!", member.password)

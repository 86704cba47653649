"""Password hashing (Argon2id) and the password rules."""

import os

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

# Argon2id with the library's default parameters (RFC 9106's low-memory choice: 64 MiB, three
# passes), about a tenth of a second a hash. The test suite alone (APP_ENV=test) takes the cheapest
# parameters, as Django's test settings swap in a fast hasher: its thousands of sign-ins test the
# journeys, not the cost; an old hash still verifies and is rehashed (needs_rehash).
if os.environ.get("APP_ENV") == "test":
    _hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
else:
    _hasher = PasswordHasher()
# Used when no account matches, so that a wrong email takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password-but-takes-as-long")

MIN_LENGTH = 10
MAX_LENGTH = 128
# The most common passwords that pass the length rule (NCSC's list starts with these).
COMMON = {
    "password123",
    "1234567890",
    "qwertyuiop",
    "password1234",
    "iloveyou123",
    "qwerty1234",
    "1q2w3e4r5t",
    "football123",
    "welcome123",
    "letmein123",
}


def hash_password(password):
    return _hasher.hash(password)


def verify_password(password_hash, password):
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password, email=None):
    """Return why a new password is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if password.lower() in COMMON or (email and password.lower() == email.lower()):
        return "Password is too easy to guess. Try three random words"
    return None

"""Passwords are stored only as salted scrypt hashes: the users' (`app_user.password_hash`)
and the legacy shared editor password's (ICTR_EDITOR_PASSWORD_HASH, `ictr hash-password`).

A hash looks like `scrypt:131072:8:1:<salt>:<key>` (URL-safe base64, no characters a shell
would interpret). The cost is part of the hash, so hashes made with an older cost
(`scrypt:16384:...`) still verify. The standard library's scrypt (OpenSSL) is the maintained
implementation; nothing here is a cipher of our own, only its encoding.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

HASH_SETTING = "ICTR_EDITOR_PASSWORD_HASH"
SCHEME = "scrypt"
# scrypt cost as OWASP's Password Storage Cheat Sheet advises (N=2^17, r=8, p=1): 128 MiB
# and ~0.4 s per check, so each guess is costly while a sign-in stays quick.
N, R, P = 2**17, 8, 1
# A hash's parameters may ask for at most this much memory (128 * r * N bytes), so a tampered
# setting cannot make each check take gigabytes.
MAX_MEMORY = 256 * 2**20
KEY_BYTES = 32
SALT_BYTES = 16
MIN_PASSWORD_LENGTH = 8


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # OpenSSL needs 128 * r * (n + p + 2) bytes; its default limit (32 MiB) is below N=2^17's.
    maxmem = 128 * r * (n + p + 2) + 2**20
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=KEY_BYTES, maxmem=maxmem
    )


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    salt = salt if salt is not None else os.urandom(SALT_BYTES)
    key = _derive(password, salt, N, R, P)
    return f"{SCHEME}:{N}:{R}:{P}:{_b64(salt)}:{_b64(key)}"


def _parse(encoded: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = encoded.strip().split(":")
    if len(parts) != 6 or parts[0] != SCHEME:
        return None
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt, key = _unb64(parts[4]), _unb64(parts[5])
    except (ValueError, binascii.Error):
        return None
    # Bounds keep a tampered setting from making each check take minutes or gigabytes.
    if not (2 <= n and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16):
        return None
    if 128 * r * n > MAX_MEMORY or 128 * r * n * p > 4 * MAX_MEMORY:  # memory, then time
        return None
    if len(salt) < 8 or len(key) != KEY_BYTES:
        return None
    return n, r, p, salt, key


def verify_password(password: str, encoded: str) -> bool:
    """True only for the right password; a malformed hash accepts nothing."""
    parsed = _parse(encoded)
    if parsed is None:
        return False
    n, r, p, salt, key = parsed
    return hmac.compare_digest(_derive(password, salt, n, r, p), key)

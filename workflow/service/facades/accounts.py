"""For the web: people, passwords and signed-in sessions.

Passwords are argon2id hashes. A session is a random token held by the browser; the database
keeps only its SHA-256 (reading the database does not let anyone sign in). The cookie that
carries it is signed with a key derived from the installation key, kept outside the database
(:mod:`workflow.keys`).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from workflow.errors import InvalidInput, NotFound
from workflow.service.base import Deps
from workflow.store import Tx

__all__ = ["Accounts"]


class Accounts:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    def person(self, login: str) -> dict[str, Any] | None:
        """A directory entry with its roles (no password hash)."""
        def work(tx: Tx) -> dict[str, Any] | None:
            row = tx.directory.person(login)
            if row is None:
                return None
            return {"login": row["login"], "name": row["name"], "email": row["email"],
                    "roles": [f"{r}@{u}" for r, u in tx.directory.roles_of(login)]}

        return self._deps.run(work)

    def set_password(self, login: str, password: str) -> dict[str, Any]:
        """Set a person's password (an administrator's command); stored as an argon2 hash."""
        return self.set_passwords([(login, password)])[0]

    def set_passwords(self, passwords: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        """:meth:`set_password` for each ``(login, password)``, in order, each in its own unit
        of work; the argon2 hashes (a fifth of a second each, by design) are computed on
        every core at once beforehand. Every password is checked before any is set."""
        for _login, password in passwords:
            _check_password(password)
        from argon2 import PasswordHasher  # argon2: only what handles passwords loads it

        hasher = PasswordHasher()
        if len(passwords) == 1:
            digests = [hasher.hash(passwords[0][1])]
        else:  # argon2 releases the interpreter while it hashes
            with ThreadPoolExecutor(max_workers=min(len(passwords), os.cpu_count() or 1)) \
                    as pool:
                digests = list(pool.map(hasher.hash, [p for _, p in passwords]))
        return [self._set_hash(login, digest)
                for (login, _), digest in zip(passwords, digests, strict=True)]

    def _set_hash(self, login: str, digest: str) -> dict[str, Any]:
        def work(tx: Tx) -> dict[str, Any]:
            if not tx.accounts.set_password_hash(login, digest):
                raise NotFound(f"no person {login!r} in the directory", person=login)
            tx.accounts.end_sessions(login)  # a new password signs the person out everywhere
            tx.audit.append(self._deps.now(), "admin", "password_set", None, None, None,
                            {"login": login})
            return {"login": login, "set": True}

        return self._deps.run(work)

    def authenticate(self, login: str, password: str) -> dict[str, Any] | None:
        """The person (with roles and a password ``stamp``) if the password matches."""
        from argon2 import PasswordHasher
        from argon2.exceptions import InvalidHashError, VerificationError

        hasher = PasswordHasher()
        row = self._deps.run(lambda tx: tx.directory.person(login)) if login else None
        stored = row.get("password_hash") if row else None
        try:
            # an unknown login costs as much as a wrong password (no timing oracle)
            hasher.verify(stored or _dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None or not stored:
            return None
        if hasher.check_needs_rehash(stored):
            fresh = hasher.hash(password)
            self._deps.run(lambda tx: tx.accounts.set_password_hash(login, fresh))
        return self.signed_in(login, None)

    def signed_in(self, login: str, stamp: str | None) -> dict[str, Any] | None:
        """The person, or None if the login is gone, has no password, or the password changed
        since ``stamp`` was taken (``stamp=None`` skips that check; a cache of HTTP Basic
        credentials uses the stamp to notice a changed password)."""
        return self._deps.run(lambda tx: _person(tx, login, stamp))

    def open_session(self, login: str, seconds: int) -> str:
        """A new web session for ``login``: a random token for the browser's cookie, of which
        the database keeps only the SHA-256."""
        token = secrets.token_urlsafe(32)
        digest = hashlib.sha256(token.encode()).hexdigest()
        now = self._deps.now()
        self._deps.run(lambda tx: tx.accounts.add_session(
            digest, login, now, now + timedelta(seconds=seconds)))
        return token

    def session_person(self, token: str) -> dict[str, Any] | None:
        """The person signed in with ``token``, or None (unknown, expired or signed out)."""
        digest = hashlib.sha256(token.encode()).hexdigest()
        now = self._deps.now()

        def work(tx: Tx) -> dict[str, Any] | None:
            # one unit of work: every signed-in page asks this first
            login = tx.accounts.session_login(digest, now)
            return None if login is None else _person(tx, login, None)

        return self._deps.run(work)

    def sign_out(self, login: str) -> None:
        """End every web session of ``login``, on every device (a copied cookie dies too)."""
        self._deps.run(lambda tx: tx.accounts.end_sessions(login))

    def session_key(self) -> str:
        """The key that signs the web session cookie (every process given the same
        installation key accepts the same cookies)."""
        return self._deps.run(lambda tx: self._deps.key(tx, "web-session")).hex()


def _person(tx: Tx, login: str, stamp: str | None) -> dict[str, Any] | None:
    """:meth:`Accounts.signed_in` inside a unit of work."""
    row = tx.directory.person(login)
    if row is None or not row.get("password_hash"):
        return None
    current = hashlib.sha256(row["password_hash"].encode()).hexdigest()[:32]
    if stamp is not None and not hmac.compare_digest(current, stamp):
        return None
    return {"login": row["login"], "name": row["name"], "email": row["email"],
            "roles": [f"{r}@{u}" for r, u in tx.directory.roles_of(login)],
            "stamp": current}


@functools.cache
def _dummy_hash() -> str:
    from argon2 import PasswordHasher

    return PasswordHasher().hash("not a password of anyone")


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise InvalidInput("a password needs at least 8 characters")
    if len(password) > 1024:
        raise InvalidInput("a password has at most 1024 characters")
    if not password.strip():
        raise InvalidInput("a password cannot be only spaces")

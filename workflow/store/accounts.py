"""Web accounts: password hashes and signed-in sessions (hashes of their tokens only).

Must not import the service or anything above the store.
"""

from __future__ import annotations

from datetime import datetime

from workflow.store.raw import Raw

__all__ = ["AccountRepo"]


class AccountRepo:
    def __init__(self, raw: Raw) -> None:
        self.raw = raw

    def set_password_hash(self, login: str, password_hash: str) -> bool:
        """Store a person's password hash; False if there is no such person."""
        return self.raw.run("UPDATE person SET password_hash = ? WHERE login = ?",
                            (password_hash, login)) == 1

    def add_session(self, token_hash: str, login: str, created: datetime, expires: datetime
                    ) -> None:
        raw = self.raw
        raw.run("DELETE FROM web_session WHERE expires_at <= ?", (raw.time_out(created),))
        raw.run("INSERT INTO web_session (token_hash, login, created_at, expires_at) "
                "VALUES (?, ?, ?, ?)", (token_hash, login, raw.time_out(created),
                                        raw.time_out(expires)))

    def session_login(self, token_hash: str, now: datetime) -> str | None:
        """Who signed in with the token of this hash, if the session is still live."""
        row = self.raw.one("SELECT login FROM web_session WHERE token_hash = ? AND "
                           "expires_at > ?", (token_hash, self.raw.time_out(now)))
        return None if row is None else str(row[0])

    def end_sessions(self, login: str) -> int:
        return self.raw.run("DELETE FROM web_session WHERE login = ?", (login,))

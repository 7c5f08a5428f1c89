"""The installation's secret key, kept outside the database.

Someone who can read the database files must not be able to forge a web session or open a
sealed ballot, so the key that signs and seals lives elsewhere: ``AWARD_SECRET`` (at least 32
characters; give every process of a deployment the same value), else a key file —
``AWARD_KEY_FILE``, by default ``~/.config/award/secret.key`` — created on first use with
mode ``0600``. Each use gets its own subkey (:meth:`KeySource.derive`), so no two purposes share
key material. The database keeps only a fingerprint of the key, to tell a process started
with another key (:meth:`KeySource.fingerprint`).

Nothing is read or created until a key is first needed: most commands never need one.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from pathlib import Path

from workflow.errors import Misconfigured

__all__ = ["ENV_KEY_FILE", "ENV_SECRET", "KeySource", "default_key_file"]

ENV_SECRET = "AWARD_SECRET"
ENV_KEY_FILE = "AWARD_KEY_FILE"
MIN_SECRET = 32


def default_key_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "award" / "secret.key"


class KeySource:
    """Where the key comes from (a value, or a file made on first use), read once."""

    def __init__(self, secret: str | None = None, path: Path | None = None) -> None:
        self._secret = secret
        self.path = path or default_key_file()
        self._key: bytes | None = None
        self._lock = threading.Lock()
        self._derived: dict[str, bytes] = {}  # an HMAC per ballot cast otherwise

    @classmethod
    def from_env(cls) -> KeySource:
        path = os.environ.get(ENV_KEY_FILE)
        return cls(os.environ.get(ENV_SECRET) or None, Path(path) if path else None)

    def key(self) -> bytes:
        with self._lock:
            if self._key is None:
                self._key = self._load()
            return self._key

    def derive(self, purpose: str) -> bytes:
        """A 32-byte subkey for one purpose (``"session"``, ``"ballot"`` …)."""
        subkey = self._derived.get(purpose)
        if subkey is None:
            subkey = hmac.new(self.key(), f"award-workflow/{purpose}".encode(),
                              hashlib.sha256).digest()
            self._derived[purpose] = subkey
        return subkey

    def fingerprint(self) -> str:
        """Names the key without revealing it (stored in the database to detect a mix-up)."""
        return self.derive("fingerprint").hex()[:16]

    def _load(self) -> bytes:
        if self._secret is not None:
            if len(self._secret) < MIN_SECRET:
                raise Misconfigured(
                    f"{ENV_SECRET} is too short: it needs at least {MIN_SECRET} characters "
                    "(e.g. the output of `python3 -c 'import secrets; "
                    "print(secrets.token_urlsafe(48))'`)")
            return hashlib.sha256(self._secret.encode()).digest()
        try:
            key = bytes.fromhex(self.path.read_text(encoding="ascii").strip())
        except FileNotFoundError:
            return self._create()
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise Misconfigured(f"cannot read the key file {self.path}: "
                                   f"{getattr(exc, 'strerror', None) or 'not a key'}") from None
        if len(key) != 32:
            raise Misconfigured(f"the key file {self.path} does not hold a 32-byte key")
        return key

    def _create(self) -> bytes:
        key = secrets.token_bytes(32)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(key.hex() + "\n")
            try:
                # a hard link appears whole or not at all: two processes starting at once
                # cannot each keep a different key, nor read a half-written file
                os.link(temporary, self.path)
            except FileExistsError:
                return self._load()
            finally:
                temporary.unlink(missing_ok=True)
        except OSError as exc:
            raise Misconfigured(f"cannot create the key file {self.path}: {exc.strerror}; "
                                   f"set {ENV_SECRET} or {ENV_KEY_FILE}") from None
        return key

"""Definition files already read, kept as JSON so the next process need not read them again.

Reading a calendar file checks its holiday country against the ``holidays`` package, which
costs every command a tenth of its start even when it computes no date. A file read without
problems is kept here as plain JSON (never pickle: nothing in a cache file is ever run, only
read back field by field), under a key of everything its reading depended on: the file's path,
size, modification time and SHA-256, the reader's own source file and the installed package
it consulted. Any other file, or any change to one of those, is a different key. An entry is
used only if this user alone can have written it (file and folder owned by the user, not
writable by group or others).

The folder is ``AWARD_CACHE_DIR``, else ``$XDG_CACHE_HOME/award``, else ``~/.cache/award``;
``AWARD_CACHE_DIR=`` (empty) turns the cache off. Entries not written for a month are
removed. A folder that cannot be read or written, or a cache file that is damaged, is the
same as no cache: the file is read as before, silently.
Must not import anything outside the standard library.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["cache_dir", "file_fingerprint", "kept", "text_fingerprint"]

T = TypeVar("T")
#: bump when the layout of what is kept changes
FORMAT = 1


def cache_dir() -> Path | None:
    """Where read definitions are kept, or ``None`` when the cache is off."""
    given = os.environ.get("AWARD_CACHE_DIR")
    if given is not None:
        return Path(given) if given.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "award"


def file_fingerprint(path: str | Path | None) -> list[object]:
    """A source file's path, size and modification time (``None`` parts if it is missing)."""
    if path is None:
        return [None]
    try:
        stat = os.stat(path)
    except OSError:
        return [str(path), None]
    return [str(path), stat.st_size, stat.st_mtime_ns]


def text_fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def kept(kind: str, depends: list[object], read: Callable[[], T], dump: Callable[[T], Any],
         load: Callable[[Any], T]) -> T:
    """``read()``'s result, from the cache when a process already read it under the same
    ``depends`` (JSON values: the text's fingerprint, the file's, the reader's …).

    ``dump`` turns the result into JSON values and ``load`` turns them back; a result that
    ``load`` cannot rebuild (a damaged or foreign file) is read again. ``read`` raising (a
    file with problems) keeps nothing."""
    folder = cache_dir()
    if folder is None:
        return read()
    key = json.dumps([FORMAT, kind, depends], default=str)
    file = folder / f"{kind}-{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"
    try:
        with file.open("rb") as handle:
            if _trusted(os.fstat(handle.fileno())) and _trusted(os.stat(folder)):
                stored = json.loads(handle.read())
                if isinstance(stored, dict) and stored.get("key") == key:
                    return load(stored["value"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError):
        pass  # no entry, or one not worth trusting: read the file
    value = read()
    _write(folder, file, {"key": key, "value": dump(value)})
    return value


def _trusted(stat: os.stat_result) -> bool:
    """Only this user can have written it: an entry decides what a definition says, so one
    that someone else could have planted (a shared or loosely set ``AWARD_CACHE_DIR``) is
    not used."""
    owner = getattr(os, "geteuid", None)
    return (owner is None or stat.st_uid == owner()) and not stat.st_mode & 0o022


def _write(folder: Path, file: Path, content: dict[str, Any]) -> None:
    """Write atomically (a reader never sees half a file); failing to write changes nothing."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(content, handle, ensure_ascii=False)
            os.replace(temp, file)
        except BaseException:
            os.unlink(temp)
            raise
        _prune(folder)
    except (OSError, TypeError, ValueError):
        pass


#: an entry not written again for this long goes (an edited file's old versions, a stored
#: flow version no longer read); one still used is simply written again on its next read
MAX_AGE_S = 30 * 24 * 3600


def _prune(folder: Path) -> None:
    """Remove entries older than :data:`MAX_AGE_S`, when something new is written (rarely:
    only when a file was not in the cache), so the folder does not grow without end."""
    cutoff = time.time() - MAX_AGE_S
    for entry in os.scandir(folder):
        try:
            if entry.name.endswith(".json") and entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
        except OSError:
            continue

"""The office behind official documents: ``definitions/office.yaml``.

A notice tells citizens where the notice board is on the web and whom to ask; every document
prints the office's contact. The file is read as strictly as the other definitions: unknown
keys, a malformed address or e-mail, each reported as ``file:line:col``. Without the file,
documents print no contact and name the board by its paths (``/notices/N``).

Must not import the store, jinja2, typer or apscheduler.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from workflow.yamlnodes import Problems, parse_yaml, read_definition

__all__ = ["FILE", "Office", "load_office", "parse_office"]

FILE = "office.yaml"
KEYS = ["name", "board_url", "address", "phone", "email", "hours", "place"]
URL_RE = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\s<>\"']*)?")
EMAIL_RE = re.compile(r"[^@\s<>\"']+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
PHONE_RE = re.compile(r"\+?[0-9][0-9 .()-]{5,30}")


@dataclass(frozen=True)
class Office:
    name: str = ""  # who answers citizens' questions
    board_url: str = ""  # the notice board's web address (the site root); "" = this site
    address: str = ""
    phone: str = ""
    email: str = ""
    hours: str = ""  # when the office receives people
    place: str = ""  # the place name before a document's date; "" derives it from the unit

    def as_context(self) -> dict[str, Any]:
        return asdict(self)


def load_office(home: Path) -> Office:
    """``home/office.yaml``, or the defaults when there is none."""
    path = home / FILE
    if not path.is_file():
        return Office()
    return parse_office(read_definition(path), str(path))


def parse_office(text: str, file: str) -> Office:
    root = parse_yaml(text, file)
    p = Problems()
    top = p.mapping(root, "the office") if root is not None else None
    if top is None:
        if root is None:
            p.add_at(file, 1, 1, "empty office file; give at least name and board_url")
        p.raise_if_any()
        raise AssertionError
    p.keys(top, "the office", KEYS, required=["name", "board_url"])
    values = {
        "name": p.string(top.get("name"), "name", max_length=200),
        "board_url": p.string(top.get("board_url"), "board_url", pattern=URL_RE,
                              hint="an http:// or https:// address, e.g. "
                                   "https://tdkt.example.vn", max_length=300),
        "address": p.string(top.get("address"), "address", max_length=300),
        "phone": p.string(top.get("phone"), "phone", pattern=PHONE_RE,
                          hint="digits, spaces, '+', '.', '-' or brackets", max_length=40),
        "email": p.string(top.get("email"), "email", pattern=EMAIL_RE,
                          hint="e.g. vanphong@example.vn", max_length=200),
        "hours": p.string(top.get("hours"), "hours", max_length=300),
        "place": p.string(top.get("place"), "place", max_length=100),
    }
    p.raise_if_any()
    return Office(**{k: v for k, v in values.items() if v is not None})

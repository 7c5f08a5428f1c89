"""Which module defines each command: the command line imports only the one it runs.

``award show 7`` imports :mod:`workflow.cli.items` and what ``show`` itself imports, never the
web stack, the spreadsheet library or the migrations; ``award --help`` imports every module
here but none of their heavy libraries (each command imports those inside its body). To add
a command: write it in a module of this package with ``@command(app, "name")`` (or a group
with ``app.add_typer(group, name="name")``) and add ``"name": "module"`` below, in the order
``award --help`` lists it. A name missing here still works (every module is then loaded to
find it) but costs every other command's start; ``tests/test_cli_imports.py`` fails until it
is added.
"""

from __future__ import annotations

import importlib

__all__ = ["COMMANDS", "load", "load_all"]

#: top-level command or group name → module of ``workflow.cli`` that registers it
COMMANDS: dict[str, str] = {
    "init": "db",
    "db": "db",
    "directory": "items",
    "nominate": "items",
    "update": "items",
    "attach": "items",
    "detach": "items",
    "fire": "items",
    "show": "items",
    "list": "items",
    "render": "items",
    "document": "documents",
    "pdf": "documents",
    "vote": "ballots",
    "recuse": "ballots",
    "session": "sessions",
    "ballot": "sessions",
    "import-template": "lists",
    "import": "lists",
    "export": "lists",
    "notices": "notices",
    "object": "notices",
    "receipt": "notices",
    "resolve": "notices",
    "extend": "notices",
    "objections": "notices",
    "confirm": "notices",
    "decision": "decisions",
    "registry": "decisions",
    "revoke": "decisions",
    "campaigns": "campaigns",
    "campaign": "campaigns",
    "register": "campaigns",
    "registrations": "campaigns",
    "cluster": "campaigns",
    "outbox": "notices",
    "deliver": "notices",
    "escalate": "notices",
    "scheduler": "notices",
    "digest": "notices",
    "flows": "flows",
    "audit": "audit",
    "report": "reports",
    "serve": "web",
    "passwd": "web",
    "doctor": "ops",
    "backup": "ops",
    "demo": "demo",
    "bench": "bench",
}


def load(name: str) -> bool:
    """Import the module that registers ``name``; False if the registry does not know it."""
    module = COMMANDS.get(name)
    if module is None:
        return False
    importlib.import_module(f"workflow.cli.{module}")
    return True


def load_all() -> None:
    """Import every command module (``award --help``, or a name the registry lacks)."""
    for module in dict.fromkeys(COMMANDS.values()):
        importlib.import_module(f"workflow.cli.{module}")

"""Facades by audience: what each kind of caller may ask of the engine.

``Setup`` (administrators), ``Documents`` (the dossier and what was issued), ``Items`` (the
people who move items, and their lists), ``Sessions`` (councils that meet), ``Register``
(decisions, the register, revocation, the public lookup), ``Accounts`` (sign-in), ``Audit``
(inspectors), ``Public`` (the notice board), ``Reports`` (statistics and the dashboard),
``Staff`` (the web's signed-in views), ``Campaigns`` (emulation campaigns), ``Timers`` (the
scheduler). Each method is one use case in one unit of work.
"""

from __future__ import annotations

import importlib
from typing import Any

#: each facade's module, imported on first use (``from workflow.service.facades import X``
#: still works; the service itself imports only the facades a process uses)
_MODULES = {"Accounts": "accounts", "Audit": "audit", "Campaigns": "campaigns",
            "Documents": "documents", "Items": "items", "Public": "public",
            "Register": "register", "Reports": "reports", "Sessions": "sessions",
            "Setup": "setup", "Staff": "staff", "Timers": "timers"}

__all__ = ["Accounts", "Audit", "Campaigns", "Documents", "Items", "Public", "Register",
           "Reports", "Sessions", "Setup", "Staff", "Timers"]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)

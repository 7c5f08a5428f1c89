"""Award nomination and review workflow engine.

The public facade: build a :class:`Service` from :class:`Settings` with
:func:`build_service`; act as an :class:`Actor`; errors derive from :class:`AwardError`.

The names are resolved on first use (PEP 562), so importing one submodule — the command line
does, for every command — does not pull in the store, the service and their libraries.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workflow.bootstrap import Settings, build_service
    from workflow.errors import (
        AwardError,
        Conflict,
        DefinitionError,
        GuardRefused,
        InvalidInput,
        NotAllowed,
        NotFound,
        PermissionDenied,
    )
    from workflow.service import Actor, Service

_WHERE = {
    "Settings": "workflow.bootstrap",
    "build_service": "workflow.bootstrap",
    "Actor": "workflow.service",
    "Service": "workflow.service",
    **dict.fromkeys(("AwardError", "Conflict", "DefinitionError", "GuardRefused",
                     "InvalidInput", "NotAllowed", "NotFound", "PermissionDenied"),
                    "workflow.errors"),
}

__all__ = [
    "Actor",
    "AwardError",
    "Conflict",
    "DefinitionError",
    "GuardRefused",
    "InvalidInput",
    "NotAllowed",
    "NotFound",
    "PermissionDenied",
    "Service",
    "Settings",
    "build_service",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'workflow' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value

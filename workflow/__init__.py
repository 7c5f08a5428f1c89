"""Award nomination and review workflow engine.

The public facade: build a :class:`Service` from :class:`Settings` with
:func:`build_service`; act as an :class:`Actor`; errors derive from :class:`AwardError`.
"""

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

"""The JSON bodies the API accepts: strict (an unknown key is 422), every string bounded."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from workflow.web.params import BodyVersion

__all__ = ["ConfirmBody", "FireBody", "NominateBody", "ObjectBody", "RecuseBody",
           "ResolveBody", "VoteBody"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NominateBody(Strict):
    flow: str = Field(max_length=64)
    unit: str = Field(max_length=64)
    nominee: str = Field(max_length=500)
    person: str | None = Field(default=None, max_length=64)
    fields: dict[str, Any] = Field(default_factory=dict)


class FireBody(Strict):
    trigger: str = Field(max_length=64)
    comment: str | None = Field(default=None, max_length=10_000)
    expect_version: BodyVersion = None


class VoteBody(Strict):
    choice: str = Field(max_length=8, description="yes | no | abstain")
    written_for: str | None = Field(default=None, max_length=64,
                                    description="secretariat: an absent member's login")


class RecuseBody(Strict):
    reason: str | None = Field(default=None, max_length=2_000)


class ConfirmBody(Strict):
    key: str = Field(max_length=64)
    decision: str = Field(max_length=8, description="yes | no")
    comment: str | None = Field(default=None, max_length=10_000)


class ObjectBody(Strict):
    text: str = Field(max_length=20_000)
    name: str | None = Field(default=None, max_length=200)
    contact: str | None = Field(default=None, max_length=200)


class ResolveBody(Strict):
    outcome: str = Field(max_length=16, description="dismissed | upheld")
    comment: str = Field(max_length=10_000)

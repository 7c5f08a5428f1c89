"""Typer's parameter coercion, built only for a value that needs it.

Typer checks every option and argument value through a Pydantic ``TypeAdapter``, built the
first time the parameter is processed, even when the value is an absent option's ``None`` or
the text of a text argument, which pass through unchanged. Building the first adapter imports
Pydantic, about a quarter of ``award show``'s start. :func:`install` makes typer build its
runtime parameter lazily: ``None`` (an option not given) and a text value for a plain ``str``
parameter are returned as they are, which is exactly what the adapter returns for them;
anything else (numbers, paths, choices, lists, parsers, files) goes to typer's own coercion,
unchanged. On a typer release it was not tested against (:data:`KNOWN`) or without
this machinery, :func:`install` does nothing.
"""

from __future__ import annotations

from typing import Any

__all__ = ["install"]


#: the typer releases (major, minor) whose internals this was written and tested against; on
#: any other, typer's own coercion runs unchanged (slower to start, never wrong)
KNOWN = ((0, 29),)


def _known(version: str) -> bool:
    parts = version.split(".")
    try:
        return (int(parts[0]), int(parts[1])) in KNOWN
    except (IndexError, ValueError):
        return False


def install() -> None:
    """Replace typer's runtime-parameter factory by the lazy one (idempotent)."""
    import typer

    if not _known(getattr(typer, "__version__", "")):
        return
    try:
        from typer import _coercion, core
    except ImportError:  # a typer before runtime coercion: click's own types, nothing to do
        return
    build: Any = getattr(core, "build_runtime_param", None)
    base: Any = getattr(_coercion, "RuntimeParam", None)
    if build is None or base is None or getattr(build, "_award_lazy", False):
        return

    class _Lazy(base):  # type: ignore[misc]
        """Typer's runtime parameter, made on the first value that needs it."""

        def __init__(self, descriptor: Any) -> None:
            object.__setattr__(self, "parameter_info", descriptor.parameter_info)
            object.__setattr__(self, "annotation", descriptor.annotation)
            object.__setattr__(self, "_descriptor", descriptor)
            object.__setattr__(self, "_built", None)
            info = descriptor.parameter_info
            object.__setattr__(self, "_text", descriptor.annotation is str
                               and getattr(info, "parser", None) is None
                               and descriptor.file_annotation is None)

        def _real(self) -> Any:
            if self._built is None:
                object.__setattr__(self, "_built", build(self._descriptor))
            return self._built

        def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
            multi = param.multiple or param.nargs == -1
            if value is None and not multi:
                return None  # as RuntimeParam.coerce: an absent option is None
            if self._text and not multi and type(value) is str:
                return value  # what typer's str adapter returns for a str
            return self._real().coerce(value, param=param, ctx=ctx)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            return self._real()._coerce_value(value, param=param, ctx=ctx)

    def lazy(descriptor: Any) -> Any:
        return _Lazy(descriptor)

    lazy._award_lazy = True  # type: ignore[attr-defined]
    setattr(core, "build_runtime_param", lazy)  # noqa: B010 -- typer does not export it

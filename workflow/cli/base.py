"""The typer application: global options, the service handle, error → exit code mapping.

``award [--db URL] [--as LOGIN] [--json] COMMAND …``. The service is built lazily on the first
command that needs it, so ``award --help`` and ``award flows validate`` stay fast and never
touch the database. Commands are found through :mod:`workflow.cli.registry`: the root group
imports the module of the command being run, not all of them, and nothing here imports the
store, the service or their libraries at module level.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from typer.core import TyperGroup

from workflow.cli import coercion, registry
from workflow.cli.output import Output
from workflow.errors import AwardError, UsageError

if TYPE_CHECKING:
    from workflow.bootstrap import Settings
    from workflow.service import Actor, Service

__all__ = ["State", "app", "command", "id_list", "state"]

F = TypeVar("F", bound=Callable[..., Any])

def _click_class(name: str) -> type[Exception]:
    """Click's exception classes, whether typer vendors click or depends on it."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == name)


coercion.install()

_ClickException = _click_class("ClickException")
_ClickUsageError = _click_class("UsageError")


class _OneLineErrors(TyperGroup):
    """Click's own usage errors (unknown option, bad choice, missing argument) as one line, or
    a JSON error document under ``--json``, like every other error: not click's usage block.

    Commands come from :mod:`workflow.cli.registry` on demand: ``get_command`` imports the
    module registering the name asked for, then builds the click commands typer now knows."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands:
            if not registry.load(cmd_name):
                registry.load_all()  # a name the registry lacks: look everywhere
            self._refresh()
        return self.commands.get(cmd_name)

    def list_commands(self, ctx: Any) -> list[str]:
        registry.load_all()
        self._refresh()
        order = list(registry.COMMANDS)
        return sorted(self.commands, key=lambda n: (order.index(n) if n in order
                                                    else len(order), n))

    def _refresh(self) -> None:
        """Add the click commands of whatever has registered on ``app`` since."""
        built = typer.main.get_group(app)
        for name, cmd in built.commands.items():
            self.commands.setdefault(name, cmd)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        names = ("args", "prog_name", "complete_var", "standalone_mode")
        params: dict[str, Any] = dict(zip(names, args, strict=False))
        params.update(kwargs)
        if not params.get("standalone_mode", True):
            return super().main(**params)
        argv = list(sys.argv[1:] if params.get("args") is None else params["args"])
        params.update(args=argv, standalone_mode=False)
        try:
            code = super().main(**params)
        except _ClickException as exc:
            ctx = getattr(exc, "ctx", None)
            if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
                sys.stderr.write(ctx.get_help() + "\n")  # bare ``award``: the help, as click does
                sys.exit(2)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            message = " ".join(exc.format_message().split()) + hint  # type: ignore[attr-defined]
            error = (UsageError(message) if isinstance(exc, _ClickUsageError)
                     else AwardError(message))
            as_json = "--json" in argv[:argv.index("--")] if "--" in argv else "--json" in argv
            Output(as_json).error(error)
            sys.exit(getattr(exc, "exit_code", 1))
        except typer.Abort:
            sys.stderr.write("aborted\n")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    name="award",
    cls=_OneLineErrors,
    help="Award nomination and review workflow engine: YAML flows, council secret ballots, "
    "public notice, tamper-evident audit.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@dataclass
class State:
    db: str | None = None
    user: str | None = None
    as_json: bool = False
    _service: Service | None = field(default=None, repr=False)

    @property
    def out(self) -> Output:
        return Output(self.as_json)

    def settings(self) -> Settings:
        from workflow.bootstrap import Settings

        return Settings.from_env(db=self.db, user=self.user)

    def service(self, *, read_only: bool = False) -> Service:
        """The service, built on first use. ``read_only``: the command only reads, and a
        SQLite database is opened read-only without SQLAlchemy (``award show``, ``list`` …)."""
        if self._service is not None and self._service.read_only and not read_only:
            self.close()  # a command that writes never runs on a read-only store
        if self._service is None:
            from workflow.bootstrap import build_service

            self._service = build_service(self.settings(), read_only=read_only)
        return self._service

    def actor(self) -> Actor:
        from workflow.service import Actor

        login = self.user or os.environ.get("AWARD_USER")
        if not login:
            raise UsageError("who is acting? give --as LOGIN (or set AWARD_USER)")
        return Actor(login)

    def close(self) -> None:
        if self._service is not None:
            self._service.close()
            self._service = None


def id_list(text: str) -> list[str]:
    """``--items 3,4, 5`` as ids: split on commas, blanks dropped (each id is checked later)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def state(ctx: Any) -> State:
    obj = ctx.find_root().obj
    if not isinstance(obj, State):
        obj = State()
        ctx.find_root().obj = obj
    return obj


@app.callback()
def _root(
    ctx: typer.Context,
    db: str | None = typer.Option(None, "--db", help="database URL (default: $AWARD_DB or "
                                  "sqlite:///award.db)", metavar="URL"),
    as_: str | None = typer.Option(None, "--as", help="act as this person (default: "
                                   "$AWARD_USER)", metavar="LOGIN"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON document"),
) -> None:
    ctx.obj = State(db=db, user=as_, as_json=as_json)
    ctx.call_on_close(ctx.obj.close)


_JSON_PARAM = "_json_output"


def _with_json_option(fn: Callable[..., Any]) -> inspect.Signature:
    """``fn``'s signature plus ``--json``, so ``award show ID --json`` works like
    ``award --json show ID``: people put the flag after the command as often as before it."""
    sig = inspect.signature(fn)
    extra = inspect.Parameter(
        _JSON_PARAM, inspect.Parameter.KEYWORD_ONLY, annotation=bool,
        default=typer.Option(False, "--json", help="print one JSON document"))
    return sig.replace(parameters=[*sig.parameters.values(), extra])


def command(group: typer.Typer, name: str | None = None, **kwargs: Any) -> Callable[[F], F]:
    """Register a command whose :class:`AwardError` s print cleanly and set the exit code."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kw: Any) -> Any:
            as_json = kw.pop(_JSON_PARAM, False)
            # typer hands over its own click context class: recognise it by behaviour
            ctx = next((a for a in [*args, *kw.values()] if hasattr(a, "find_root")), None)
            st = state(ctx) if ctx is not None else State()
            st.as_json = st.as_json or as_json
            try:
                return fn(*args, **kw)
            except AwardError as exc:
                st.out.error(exc)
                raise typer.Exit(exc.exit_code) from None

        wrapper.__signature__ = _with_json_option(fn)  # type: ignore[attr-defined]
        group.command(name, **kwargs)(wrapper)
        return fn

    return decorate

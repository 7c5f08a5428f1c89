"""Strict YAML: a located node tree and helpers for reading definition files strictly.

PyYAML composes the document; we resolve scalars ourselves so that

* every node knows its ``file:line:col`` (1-based) for error messages;
* mapping keys are always strings (``on``, ``no``, ``yes`` stay strings, never booleans);
* duplicate keys, non-scalar keys and non-standard tags (``!!python/...``) are errors;
* plain scalars follow the YAML 1.2 core schema (``true``/``false``, ``null``, ints, floats):
  YAML 1.1's ``yes``/``no``/``on``/``off`` booleans and sexagesimal numbers never apply.

Readers of definition files collect :class:`~workflow.errors.Problem` s in a :class:`Problems`
list instead of stopping at the first one, so a validator can report them all.

A document composed without problems is kept as JSON (:mod:`workflow.readcache`), so a
command reading the same definitions again rebuilds the node tree without PyYAML, which it
then never imports.
Must not import anything outside the standard library, PyYAML, ``workflow.errors`` and
``workflow.readcache``.
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflow import readcache
from workflow.errors import DefinitionError, Problem

if TYPE_CHECKING:
    import yaml

__all__ = [
    "Mapping",
    "Node",
    "Problems",
    "Scalar",
    "Sequence",
    "canonical_json",
    "echo",
    "parse_yaml",
    "read_definition",
    "suggest",
]

_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:value",
    "tag:yaml.org,2002:merge",
    "!",
}
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")


@dataclass(eq=False)
class Node:
    file: str
    line: int
    col: int

    def where(self) -> tuple[str, int, int]:
        return self.file, self.line, self.col

    def plain(self) -> Any:
        raise NotImplementedError


@dataclass(eq=False)
class Scalar(Node):
    value: str | int | float | bool | None
    quoted: bool = False
    raw: str | None = None  # the text as written (``true`` for the boolean True)

    def plain(self) -> Any:
        return self.value


@dataclass(eq=False)
class Mapping(Node):
    keys: dict[str, Scalar] = field(default_factory=dict)
    values: dict[str, Node] = field(default_factory=dict)

    def plain(self) -> Any:
        return {k: v.plain() for k, v in self.values.items()}

    def get(self, key: str) -> Node | None:
        return self.values.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self.values

    def items(self) -> Iterator[tuple[Scalar, Node]]:
        for name, value in self.values.items():
            yield self.keys[name], value


@dataclass(eq=False)
class Sequence(Node):
    items: list[Node] = field(default_factory=list)

    def plain(self) -> Any:
        return [item.plain() for item in self.items]


#: Definition files are small (the largest shipped flow is a few KB); a bigger one is not a
#: definition anyone wrote by hand, and reading it must not cost the process its memory.
MAX_DEFINITION_BYTES = 1024 * 1024
#: Scalars an alias may repeat, counted in characters over the whole document.
MAX_ALIAS_EXPANSION = 100_000
MAX_ECHO = 60  # characters of a value repeated in an error message
MAX_STRING = 2000  # a name, a label, a comment in a definition; long prose goes in documents
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")  # tab and newline are text


def echo(value: object) -> str:
    """A value quoted for an error message, cut short (a message must not carry a megabyte)."""
    text = repr(value)
    return text if len(text) <= MAX_ECHO else text[:MAX_ECHO - 1] + "…"


def read_definition(path: Path) -> str:
    """A definition file's text; an unreadable or oversized file is a located
    :class:`DefinitionError`. The size is checked before anything is read (a device such as
    /dev/zero never ends)."""
    try:
        if not path.is_file():
            if path.exists():
                raise DefinitionError([Problem(str(path), 1, 1, "not a regular file")])
            raise FileNotFoundError(path)
        with path.open("rb") as handle:
            data = handle.read(MAX_DEFINITION_BYTES + 1)
        if len(data) > MAX_DEFINITION_BYTES:
            raise DefinitionError([Problem(str(path), 1, 1, f"larger than "
                                           f"{MAX_DEFINITION_BYTES // 1024} KiB; a definition "
                                           "file is a few KB")])
        return data.decode("utf-8")
    except FileNotFoundError:
        raise DefinitionError([Problem(str(path), 1, 1, "no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError([Problem(str(path), 1, 1, f"cannot read: {exc}")]) from None


def parse_yaml(text: str, file: str) -> Node | None:
    """Compose and resolve one YAML document; ``None`` for an empty document.

    Raises :class:`DefinitionError` for malformed YAML, duplicate keys, non-string keys,
    multiple documents and non-standard tags, each located. The same ``text`` of the same
    ``file`` composed before (by any process) comes from the cache.
    """
    depends: list[object] = [file, readcache.text_fingerprint(text), _reader_depends()]
    return readcache.kept("yaml", depends, lambda: _compose(text, file), _dump,
                          lambda data: _load(data, file))


@functools.cache
def _reader_depends() -> list[object]:
    """What composing depends on besides the text: this module's source and PyYAML's."""
    spec = importlib.util.find_spec("yaml")
    return [readcache.file_fingerprint(__file__),
            readcache.file_fingerprint(spec.origin if spec else None)]


def _dump(node: Node | None) -> Any:
    """A node tree as JSON values: ``[line, col, value, quoted, raw]`` for a scalar,
    ``[line, col, [[key, line, col, quoted, value], …]]`` for a mapping, ``[line, col,
    [item, …], null]`` for a sequence (the fourth element tells the two apart)."""
    if node is None:
        return None
    if isinstance(node, Scalar):
        return [node.line, node.col, node.value, node.quoted, node.raw]
    if isinstance(node, Mapping):
        return [node.line, node.col, [[name, key.line, key.col, key.quoted,
                                       _dump(node.values[name])]
                                      for name, key in node.keys.items()]]
    assert isinstance(node, Sequence)
    return [node.line, node.col, [_dump(item) for item in node.items], None]


def _load(data: Any, file: str) -> Node | None:
    """:func:`_dump`'s tree back; anything else raises (the text is then composed again)."""
    if data is None:
        return None
    line, col = data[0], data[1]
    if type(line) is not int or type(col) is not int:
        raise TypeError("not a node")
    if len(data) == 5:
        value, quoted, raw = data[2], data[3], data[4]
        if not (value is None or isinstance(value, str | int | float | bool)) \
                or type(quoted) is not bool or not (raw is None or isinstance(raw, str)):
            raise TypeError("not a scalar")
        return Scalar(file, line, col, value, quoted=quoted, raw=raw)
    if len(data) == 4:
        return Sequence(file, line, col, [_node(item, file) for item in data[2]])
    if len(data) != 3:
        raise TypeError("not a node")
    mapping = Mapping(file, line, col)
    for name, kline, kcol, quoted, value in data[2]:
        if not isinstance(name, str) or type(kline) is not int or type(kcol) is not int \
                or type(quoted) is not bool or name in mapping.values:
            raise TypeError("not a mapping key")
        mapping.keys[name] = Scalar(file, kline, kcol, name, quoted=quoted)
        mapping.values[name] = _node(value, file)
    return mapping


def _node(data: Any, file: str) -> Node:
    node = _load(data, file)
    if node is None:
        raise TypeError("a missing node")
    return node


def _compose(text: str, file: str) -> Node | None:
    import yaml  # noqa: PLC0415 -- only when the cache does not have the document

    loader = _loader()
    try:
        aliases = _collection_aliases(text, file, loader)
        if aliases:
            raise DefinitionError(aliases)
        root = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        raise DefinitionError([_problem_from_mark(file, exc)]) from None
    except yaml.YAMLError as exc:
        raise DefinitionError([Problem(file, 1, 1, f"malformed YAML: {exc}")]) from None
    if root is None:
        return None
    problems = Problems()
    node = _convert(root, file, problems, set(), 0)
    problems.raise_if_any()
    return node


ALIAS_MESSAGE = "aliases (*name) are not allowed in definitions; write the value out"
MAX_DEPTH = 64


def _collection_aliases(text: str, file: str, loader: type[yaml.SafeLoader]) -> list[Problem]:
    """Aliases of mappings and sequences, each at its own ``*name``.

    Expanding such aliases copy by copy is the "billion laughs" attack and a recursive one
    never ends, so definitions have none; an alias of a scalar is just its value. This is a
    pass over parser events, before anything is composed.
    """
    import yaml  # noqa: PLC0415 -- loaded by _compose already

    collections: set[str] = set()
    scalars: dict[str, int] = {}  # anchor -> length of the scalar it names
    expanded = 0
    found: list[Problem] = []
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent) and event.anchor:
            collections.add(event.anchor)
        elif isinstance(event, yaml.ScalarEvent) and event.anchor:
            scalars[event.anchor] = len(event.value)
        elif isinstance(event, yaml.AliasEvent):
            mark = event.start_mark
            line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
            if event.anchor in collections:
                found.append(Problem(file, line, col, ALIAS_MESSAGE))
                continue
            # an alias of a scalar repeats its text: bounded, or a small file could stand
            # for gigabytes once the flow is read and hashed
            expanded += scalars.get(event.anchor or "", 0)
            if expanded > MAX_ALIAS_EXPANSION:
                found.append(Problem(file, line, col, f"aliases repeat more than "
                                     f"{MAX_ALIAS_EXPANSION:,} characters; write the values "
                                     "out"))
                break
    return found


def _loader() -> type[yaml.SafeLoader]:
    import yaml  # noqa: PLC0415 -- loaded by _compose already

    loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return loader


def _problem_from_mark(file: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    what = " ".join(part for part in (exc.context, exc.problem) if part)
    return Problem(file, line, col, f"malformed YAML: {what or exc}")


def _convert(node: yaml.Node, file: str, problems: Problems, seen: set[int], depth: int
             ) -> Node:
    import yaml  # noqa: PLC0415 -- loaded by _compose already

    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    if isinstance(node, yaml.CollectionNode):
        if id(node) in seen:  # an alias that slipped past the event pass: never expand it
            problems.add_at(file, line, col, ALIAS_MESSAGE)
            return Scalar(file, line, col, None)
        seen.add(id(node))
        if depth >= MAX_DEPTH:
            problems.add_at(file, line, col, f"nested more than {MAX_DEPTH} levels deep")
            return Scalar(file, line, col, None)
    if node.tag not in _STANDARD_TAGS:
        problems.add_at(file, line, col, f"tag {node.tag!r} is not allowed in definitions")
        return Scalar(file, line, col, None)
    if isinstance(node, yaml.ScalarNode):
        try:
            value = _resolve(node)
        except ValueError:  # e.g. an integer beyond Python's 4300-digit conversion limit
            problems.add_at(file, line, col, f"number {node.value[:20]}… is too long")
            return Scalar(file, line, col, None)
        return Scalar(file, line, col, value, quoted=node.style not in (None, ""),
                      raw=str(node.value))
    if isinstance(node, yaml.SequenceNode):
        return Sequence(file, line, col, [_convert(item, file, problems, seen, depth + 1)
                                          for item in node.value])
    assert isinstance(node, yaml.MappingNode)
    mapping = Mapping(file, line, col)
    for key_node, value_node in node.value:
        kline, kcol = key_node.start_mark.line + 1, key_node.start_mark.column + 1
        if not isinstance(key_node, yaml.ScalarNode):
            problems.add_at(file, kline, kcol, "a mapping key must be a plain string")
            continue
        if key_node.tag == "tag:yaml.org,2002:merge" or key_node.value == "<<":
            problems.add_at(file, kline, kcol, "merge keys ('<<') are not allowed in definitions")
            continue
        name = str(key_node.value)
        if name in mapping.values:
            first = mapping.keys[name]
            problems.add_at(
                file, kline, kcol, f"duplicate key {echo(name)} (first at line {first.line})"
            )
            continue
        mapping.keys[name] = Scalar(file, kline, kcol, name, quoted=key_node.style is not None)
        mapping.values[name] = _convert(value_node, file, problems, seen, depth + 1)
    return mapping


def _resolve(node: yaml.ScalarNode) -> str | int | float | bool | None:
    raw = node.value
    if node.style not in (None, "") or node.tag == "tag:yaml.org,2002:str":
        return str(raw)
    if _NULL.match(raw):
        return None
    if raw in _BOOL:
        return _BOOL[raw]
    if _INT.match(raw):
        return int(raw, 0) if raw.lstrip("+-")[:2] in ("0o", "0x") else int(raw)
    if _FLOAT.match(raw) and any(ch.isdigit() for ch in raw):
        return float(raw)
    return str(raw)


class Problems:
    """Collects located problems; ``raise_if_any`` raises one :class:`DefinitionError`."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def add(self, node: Node, message: str) -> None:
        self.items.append(Problem(node.file, node.line, node.col, message))

    def add_at(self, file: str, line: int, col: int, message: str) -> None:
        self.items.append(Problem(file, line, col, message))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    def raise_if_any(self) -> None:
        if self.items:
            raise DefinitionError(self.items)

    # ---- strict readers ------------------------------------------------------------------

    def mapping(self, node: Node | None, what: str) -> Mapping | None:
        if isinstance(node, Mapping):
            return node
        if node is not None:
            self.add(node, f"{what} must be a mapping")
        return None

    def keys(
        self,
        node: Mapping,
        what: str,
        allowed: Iterable[str],
        required: Iterable[str] = (),
    ) -> None:
        """Report keys outside ``allowed`` (listing the allowed ones) and missing ``required``."""
        allowed = list(allowed)
        for name, key in node.keys.items():
            if name not in allowed:
                self.add(
                    key,
                    f"unknown key {echo(name)} in {what}{suggest(name, allowed)}; "
                    f"allowed: {', '.join(allowed)}",
                )
        for name in required:
            if name not in node.values:
                self.add(node, f"{what} is missing required key {name!r}")

    def string(self, node: Node | None, what: str, *, pattern: re.Pattern[str] | None = None,
               hint: str = "", max_length: int = MAX_STRING) -> str | None:
        if node is None:
            return None
        if not isinstance(node, Scalar) or not isinstance(node.value, str) or not node.value:
            self.add(node, f"{what} must be a non-empty string{hint and '; ' + hint}")
            return None
        if _CONTROL.search(node.value):
            self.add(node, f"{what} must not contain control characters (such as NUL)")
            return None
        if len(node.value) > max_length:
            self.add(node, f"{what} is longer than {max_length} characters")
            return None
        if pattern is not None and not pattern.fullmatch(node.value):
            self.add(node, f"{what} {echo(node.value)} is not well formed{hint and '; ' + hint}")
            return None
        return node.value

    def integer(self, node: Node | None, what: str, *, minimum: int | None = None,
                maximum: int | None = None) -> int | None:
        if node is None:
            return None
        if (
            not isinstance(node, Scalar)
            or isinstance(node.value, bool)
            or not isinstance(node.value, int)
        ):
            self.add(node, f"{what} must be an integer")
            return None
        if minimum is not None and node.value < minimum:
            self.add(node, f"{what} must be at least {minimum}, got {echo(node.value)}")
            return None
        if maximum is not None and node.value > maximum:
            self.add(node, f"{what} must be at most {maximum}, got {echo(node.value)}")
            return None
        return node.value

    def boolean(self, node: Node | None, what: str) -> bool | None:
        if node is None:
            return None
        if not isinstance(node, Scalar) or not isinstance(node.value, bool):
            self.add(node, f"{what} must be true or false")
            return None
        return node.value

    def choice(self, node: Node | None, what: str, options: Iterable[str]) -> str | None:
        if node is None:
            return None
        options = list(options)
        if not isinstance(node, Scalar) or not isinstance(node.value, str):
            self.add(node, f"{what} must be one of: {', '.join(options)}")
            return None
        if node.value not in options:
            self.add(
                node,
                f"{what} {echo(node.value)} is not allowed{suggest(node.value, options)}; "
                f"allowed: {', '.join(options)}",
            )
            return None
        return node.value

    def sequence(self, node: Node | None, what: str, *, single_ok: bool = False) -> list[Node]:
        """Items of a sequence; with ``single_ok`` a lone scalar or mapping counts as one item."""
        if node is None:
            return []
        if isinstance(node, Sequence):
            return node.items
        if single_ok:
            return [node]
        self.add(node, f"{what} must be a list")
        return []

    def text(self, node: Node | None, what: str) -> dict[str, str]:
        """A bilingual text: a string or ``{vi: ..., en: ...}``."""
        if node is None:
            return {}
        if isinstance(node, Scalar) and isinstance(node.value, str):
            return {"vi": node.value}
        if isinstance(node, Mapping):
            self.keys(node, what, ["vi", "en"])
            out: dict[str, str] = {}
            for lang in ("vi", "en"):
                value = self.string(node.get(lang), f"{what}.{lang}")
                if value is not None:
                    out[lang] = value
            return out
        self.add(node, f"{what} must be a string or a mapping {{vi: ..., en: ...}}")
        return {}


def suggest(name: str, options: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for a near miss, else an empty string."""
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def canonical_json(value: Any) -> str:
    """The canonical JSON text of a plain value: sorted keys, no spaces, UTF-8 (not escaped)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

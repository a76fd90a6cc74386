"""Reading YAML and JSON files into plain data, with exact decimals and a line for every field.

Numbers with a fraction become ``Decimal`` from their text (``4500.10`` is ``Decimal("4500.10")``),
never through a binary float. Every mapping key and sequence item is remembered with its line, so a
schema error can name the file, the line and the field path. Problems are collected, never raised
one at a time: :func:`validate_model` raises one :class:`~docgen.errors.InputError` with all of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from docgen.errors import InputError, Problem

try:  # the C loader is ~10x faster; fall back where libyaml is missing
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[attr-defined,assignment]
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader

__all__ = ["Source", "format_path", "load_file", "load_text", "validate_model"]

Path_ = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)

#: Largest input file docgen reads; a bigger one is refused before parsing.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Deepest nesting of mappings and lists accepted (docgen's formats need fewer than 10 levels).
MAX_DEPTH = 64
#: Values a file may expand to per character of its text: YAML aliases can make a small file
#: expand exponentially ("billion laughs"); an alias-free file never exceeds one per character.
MAX_VALUES_PER_CHAR = 4

_FLOAT_TAG = "tag:yaml.org,2002:float"
_STR_TAG = "tag:yaml.org,2002:str"


@dataclass
class Source:
    """Parsed data of one file, with the line of each field path."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """Line of the longest prefix of `path` that the file has, or None."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), None)

    def problem(self, path: Sequence[str | int], message: str) -> Problem:
        """A Problem at `path` of this file."""
        return Problem(self.file, self.line_of(path), format_path(path), message)


def format_path(path: Sequence[str | int]) -> str:
    """``("lines", 3, "sku")`` -> ``"lines[3].sku"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class _Builder:
    """Turns a composed YAML node tree into Python data, recording lines and problems."""

    def __init__(self, loader: yaml.SafeLoader, src: Source, budget: int = 1 << 62) -> None:
        self.loader = loader
        self.src = src
        self.problems: list[Problem] = []
        self.budget = budget

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.budget -= 1
        if self.budget < 0 or len(path) > MAX_DEPTH:
            what = (f"is nested more than {MAX_DEPTH} levels deep" if len(path) > MAX_DEPTH
                    else "expands to far more values than its text holds (YAML aliases?)")
            raise InputError([Problem(self.src.file, node.start_mark.line + 1,
                                      format_path(path[:8]), f"refused: the file {what}")])
        self.src.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            self.loader.flatten_mapping(node)  # resolves "<<" merge keys
            for key_node, value_node in node.value:
                key = self.build_scalar(key_node, path) if isinstance(
                    key_node, yaml.ScalarNode) else None
                if not isinstance(key, str | int) or isinstance(key, bool):
                    self.problems.append(Problem(
                        self.src.file, key_node.start_mark.line + 1, format_path(path),
                        "a key must be a plain word"))
                    continue
                key = str(key)
                if key in out:
                    self.problems.append(Problem(
                        self.src.file, key_node.start_mark.line + 1, format_path((*path, key)),
                        "key appears twice"))
                    continue
                self.src.lines[(*path, key)] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, (*path, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.build_scalar(node, path)

    def build_scalar(self, node: yaml.Node, path: Path_) -> Any:
        if node.tag == _FLOAT_TAG:
            text = node.value.replace("_", "")
            try:
                value = Decimal(text)
            except InvalidOperation:
                value = None
            if value is None or not value.is_finite():
                self.problems.append(Problem(
                    self.src.file, node.start_mark.line + 1, format_path(path),
                    f"{node.value!r} is not a finite number"))
                return None
            return value
        if node.tag == _STR_TAG:
            return node.value
        return self.loader.construct_object(node, deep=True)


def _too_deep(text: str) -> int | None:
    """The line where `text` first nests more than MAX_DEPTH levels, or None.

    Called only when the parser failed: a parser may refuse deep nesting before docgen's own
    builder sees it, and then the message should be docgen's, not the parser's. Events stream
    without recursion, and the pure-Python parser (unlike libyaml's) has no nesting limit of its
    own, so this reaches the depth the parser refused.
    """
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return int(event.start_mark.line) + 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None
    return None


def _nested_too_deep(file: str, line: int) -> InputError:
    return InputError([Problem(file, line, "",
                               f"refused: the file is nested more than {MAX_DEPTH} levels deep")])


def load_text(text: str, file: str) -> Source:
    """Parse YAML or JSON `text` (JSON when `file` ends in .json)."""
    src = Source(file, None)
    if file.endswith(".json"):
        return _load_json(text, src)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError([Problem(file, 1, "", "the file is empty")])
        builder = _Builder(loader, src, budget=MAX_VALUES_PER_CHAR * len(text) + 1000)
        src.data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        if (deep := _too_deep(text)) is not None:
            raise _nested_too_deep(file, deep) from None
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or str(exc)
        raise InputError([Problem(file, line, "", f"not valid YAML: {what}")]) from None
    except yaml.YAMLError as exc:
        if (deep := _too_deep(text)) is not None:
            raise _nested_too_deep(file, deep) from None
        raise InputError([Problem(file, None, "", f"not valid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    if builder.problems:
        raise InputError(builder.problems)
    return src


def _load_json(text: str, src: Source) -> Source:
    seen_dupes: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in items:
            if k in out:
                seen_dupes.append(k)
            out[k] = v
        return out

    try:
        src.data = json.loads(text, parse_float=Decimal, object_pairs_hook=pairs,
                              parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(src.file, exc.lineno, "", f"not valid JSON: {exc.msg}")]) from None
    except RecursionError:
        raise InputError([Problem(src.file, None, "", "refused: the file is nested too deeply")]) \
            from None
    except ValueError as exc:
        raise InputError([Problem(src.file, None, "", f"not valid JSON: {exc}")]) from None
    # JSON is (nearly) YAML: compose it once more only to learn the line of each field.
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                _Builder(loader, src).build(node, ())
        finally:
            loader.dispose()
    except yaml.YAMLError:
        src.lines = {}
    if seen_dupes:
        raise InputError([src.problem((k,), "key appears twice") for k in seen_dupes])
    return src


def _reject_constant(name: str) -> Any:
    msg = f"{name} is not a number docgen accepts"
    raise ValueError(msg)


def load_file(path: Path | str) -> Source:
    """Read and parse one YAML or JSON file."""
    p = Path(path)
    name = str(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError([Problem(name, None, "", f"file is {size} bytes; the limit is "
                                                         f"{MAX_FILE_BYTES}")])
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError([Problem(name, None, "", "no such file")]) from None
    except IsADirectoryError:
        raise InputError([Problem(name, None, "", "is a folder, not a file")]) from None
    except PermissionError:
        raise InputError([Problem(name, None, "", "permission denied")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError([Problem(name, line, "", "not UTF-8 text")]) from None
    return load_text(text, name)


def _friendly(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field (check the spelling)"
    if kind == "missing":
        return "required field is missing"
    msg = str(err.get("msg", "invalid"))
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if kind in {"decimal_type", "decimal_parsing"} and isinstance(err.get("input"), float):
        msg = "must be an exact decimal (write it as text, e.g. \"12.50\")"
    return msg


def validate_model(model: type[M], src: Source, *, context: dict[str, Any] | None = None) -> M:
    """Validate `src.data` as `model`; every schema error becomes one Problem with its line."""
    try:
        return model.model_validate(src.data, context=context)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("<"))]
            if err.get("type") == "missing" and loc:
                line = src.line_of(loc[:-1])
            else:
                line = src.line_of(loc)
            problems.append(Problem(src.file, line, format_path(loc), _friendly(err)))
        raise InputError(_dedupe(problems)) from None


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    out = []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out

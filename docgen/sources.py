"""Reading YAML and JSON files into plain data, with exact decimals and a line for every field.

Numbers with a fraction become ``Decimal`` from their text (``4500.10`` is ``Decimal("4500.10")``),
never through a binary float. Every mapping key and sequence item is remembered with its line, so a
schema error can name the file, the line and the field path. Problems are collected, never raised
one at a time: :func:`validate_model` raises one :class:`~docgen.errors.InputError` with all of them.

Only regular files are read, and none larger than :data:`~docgen.limits.MAX_FILE_BYTES`. YAML is
read by :mod:`docgen._yaml_reader` (no tags, no YAML 1.1 number forms, real dates only, limits on
size checked as it reads); JSON by the standard library, with the same limits on numbers.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from docgen._yaml_reader import Path_, YamlReader, format_path
from docgen.errors import InputError, Problem
from docgen.limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_ITEMS, MAX_VALUES, number_problem

__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "Source", "format_path", "load_file", "load_text",
           "validate_model"]

M = TypeVar("M", bound=BaseModel)


@dataclass
class Source:
    """Parsed data of one file, with the line of each field path."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    #: True when the text was plain ASCII without a backslash: then no string in `data` holds a
    #: character outside ASCII (YAML and JSON can only write one as itself or as an escape).
    ascii_only: bool = False

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
        return Problem(self.file, self.line_of(path), format_path(tuple(path)), message)


def _too_deep(text: str) -> int | None:
    """The line where `text` first nests more than MAX_DEPTH levels, or None.

    Called only when the parser failed: a parser may refuse deep nesting before docgen's own
    reader sees it, and then the message should be docgen's, not the parser's. Events stream
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


def _too_big(file: str, size: int) -> InputError:
    return InputError([Problem(file, None, "", f"file is {size} bytes; the limit is "
                                               f"{MAX_FILE_BYTES}")])


def load_text(text: str, file: str) -> Source:
    """Parse YAML or JSON `text` (JSON when `file` ends in .json)."""
    if len(text) > MAX_FILE_BYTES:
        raise _too_big(file, len(text.encode("utf-8", "surrogatepass")))
    src = Source(file, None, ascii_only=text.isascii() and "\\" not in text)
    if file.endswith(".json"):
        return _load_json(text, src)
    reader = YamlReader(text, file, src.lines)
    try:
        found, src.data = reader.read()
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
    if not found:
        raise InputError([Problem(file, 1, "", "the file is empty")])
    if reader.problems:
        raise InputError(reader.problems)
    return src


class _Refused:
    """A JSON number docgen will not read; replaced by a Problem once lines are known."""

    def __init__(self, message: str) -> None:
        self.message = message


def _json_number(kind: type[int] | type[Decimal]) -> Any:
    def parse(text: str) -> Any:
        problem = number_problem(text)
        return _Refused(problem) if problem else kind(text)

    return parse


def _refused_numbers(data: Any, path: Path_ = ()) -> list[tuple[Path_, str]]:
    if isinstance(data, _Refused):
        return [(path, data.message)]
    if isinstance(data, dict):
        return [r for k, v in data.items() for r in _refused_numbers(v, (*path, k))]
    if isinstance(data, list):
        return [r for i, v in enumerate(data) for r in _refused_numbers(v, (*path, i))]
    return []


def _load_json(text: str, src: Source) -> Source:
    # JSON is (nearly) YAML: docgen's YAML reader learns the line of each field and checks the
    # limits on nesting, list length and size while it reads, so an oversized list is refused
    # before the JSON parser builds it whole. Its values are dropped: JSON's own parser decides.
    try:
        YamlReader(text, src.file, src.lines).read()
        limits_checked = True
    except yaml.YAMLError:
        src.lines, limits_checked = {}, False
    seen_dupes: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in items:
            if k in out:
                seen_dupes.append(k)
            out[k] = v
        return out

    try:
        src.data = json.loads(text, parse_float=_json_number(Decimal),
                              parse_int=_json_number(int), object_pairs_hook=pairs,
                              parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(src.file, exc.lineno, "", f"not valid JSON: {exc.msg}")]) from None
    except RecursionError:
        raise InputError([Problem(src.file, None, "", "refused: the file is nested too deeply")]) \
            from None
    except ValueError as exc:
        raise InputError([Problem(src.file, None, "", f"not valid JSON: {exc}")]) from None
    if not limits_checked:
        _check_limits(src)
    problems = [src.problem(path, message) for path, message in _refused_numbers(src.data)]
    problems += [src.problem((k,), "key appears twice") for k in seen_dupes]
    if problems:
        raise InputError(problems)
    return src


def _check_limits(src: Source) -> None:
    """The limits the YAML reader checks, for JSON it could not read."""
    values, stack = 0, [((), src.data)]
    while stack:
        path, value = stack.pop()
        values += 1
        what = (f"the file is nested more than {MAX_DEPTH} levels deep" if len(path) > MAX_DEPTH
                else f"the file holds more than {MAX_VALUES} values" if values > MAX_VALUES
                else f"the list has more than {MAX_ITEMS} items"
                if isinstance(value, list) and len(value) > MAX_ITEMS
                else f"the mapping has more than {MAX_ITEMS} keys"
                if isinstance(value, dict) and len(value) > MAX_ITEMS else None)
        if what:
            raise InputError([src.problem(path[:MAX_DEPTH], f"refused: {what}")])
        if isinstance(value, dict):
            stack += [((*path, k), v) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [((*path, i), v) for i, v in enumerate(value)]


def _reject_constant(name: str) -> Any:
    msg = f"{name} is not a number docgen accepts"
    raise ValueError(msg)


def _read_regular_file(name: str) -> bytes:
    """The bytes of the regular file `name`; anything else (a device, a FIFO, a socket, a
    folder) is refused before a byte is read, and so is a file above MAX_FILE_BYTES.

    The path is checked with stat before it is opened (opening some devices has effects of its
    own), then opened without blocking (a FIFO would wait for a writer) and checked again on the
    open descriptor, so a file swapped in between is caught too.
    """
    try:
        _check_regular(name, os.stat(name))
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | \
            getattr(os, "O_CLOEXEC", 0)
        fd = os.open(name, flags)
    except FileNotFoundError:
        raise InputError([Problem(name, None, "", "no such file")]) from None
    except PermissionError:
        raise InputError([Problem(name, None, "", "permission denied")]) from None
    except OSError as exc:
        raise InputError([Problem(name, None, "", f"cannot be read ({exc.strerror})")]) from None
    try:
        _check_regular(name, os.fstat(fd))
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 20):
            size += len(chunk)
            if size > MAX_FILE_BYTES:  # it grew while being read
                raise _too_big(name, size)
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise InputError([Problem(name, None, "", f"cannot be read ({exc.strerror})")]) from None
    finally:
        os.close(fd)


def _check_regular(name: str, st: os.stat_result) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise InputError([Problem(name, None, "", "is a folder, not a file")])
    if not stat.S_ISREG(st.st_mode):
        kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else
                "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
                "a socket" if stat.S_ISSOCK(st.st_mode) else "not a file")
        raise InputError([Problem(name, None, "", f"is {kind}; docgen reads only regular files")])
    if st.st_size > MAX_FILE_BYTES:
        raise _too_big(name, st.st_size)


def load_file(path: Path | str) -> Source:
    """Read and parse one YAML or JSON file (a regular file of at most MAX_FILE_BYTES)."""
    name = str(path)
    raw = _read_regular_file(name)
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
            problems.append(Problem(src.file, line, format_path(tuple(loc)), _friendly(err)))
        raise InputError(_dedupe(problems)) from None


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    out = []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out

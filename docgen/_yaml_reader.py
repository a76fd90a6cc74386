"""Plain data from a YAML text, built straight from the parser's event stream.

docgen reads YAML as data, never as objects, and never guesses:

- **No tags.** Any explicit tag (``!!binary``, ``!!python/…``, ``!!set``, ``!!int``, ``!foo``) is
  refused; what YAML would decode or construct from it is never built.
- **Numbers only in their plain decimal form.** YAML 1.1 reads ``012`` as octal 10, ``1:30`` as 90,
  ``0x10`` as 16, ``0b101`` as 5 and ``1_000`` as 1000; YAML 1.2 reads ``0o17`` as 15. Each is
  refused with a message saying what it would have been read as and to quote it if it is text.
  Numbers with a fraction become ``Decimal`` from their text; numbers longer than
  :data:`~docgen.limits.MAX_NUMBER_DIGITS` are refused unread.
- **Booleans as in YAML 1.2**: only ``true`` and ``false``. YAML 1.1's ``yes/no/on/off`` stay text,
  so Norway's ``NO`` and Ontario's ``ON`` are not read as false and true (a true/false field
  still takes ``yes`` and ``no``, as the schema reads them).
- **Real dates only**: ``2026-02-30`` or ``T25:00:00`` is a problem, not a crash.
- **Limits** (:mod:`docgen.limits`) on nesting, items per list or mapping and values per file are
  checked while the events stream in, so a huge list is refused after its first
  :data:`~docgen.limits.MAX_ITEMS` items, before the rest is read into memory.

An alias shares its anchor's value rather than copying it (the data is only read), and counts
as many values as the anchor holds, so alias bombs meet the same limits. Problems with single
values are collected (every one is reported); a limit stops the reading at once with an
:class:`~docgen.errors.InputError`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from docgen.errors import InputError, Problem
from docgen.limits import (MAX_DEPTH, MAX_ITEMS, MAX_NUMBER_DIGITS, MAX_VALUES,
                           MAX_VALUES_PER_CHAR, number_problem)

try:  # the C parser is ~10x faster; fall back where libyaml is missing
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[attr-defined,assignment]
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader

__all__ = ["Path_", "YamlReader", "format_path"]

Path_ = tuple[str | int, ...]

_YAML = "tag:yaml.org,2002:"
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = SafeConstructor()
_DECIMAL_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
#: YAML 1.2's octal form, which YAML 1.1 (PyYAML) reads as text.
_OCTAL_12 = re.compile(r"[-+]?0o[0-7_]+")
_NOT_FINITE = frozenset({".inf", "+.inf", "-.inf", ".nan"})
_NULL_KEYS = frozenset({"", "~", "null", "Null", "NULL"})


def format_path(path: tuple[str | int, ...] | list[str | int]) -> str:
    """``("lines", 3, "sku")`` -> ``"lines[3].sku"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _short_tag(tag: str) -> str:
    return f"!!{tag[len(_YAML):]}" if tag.startswith(_YAML) else tag


def _number_form(text: str) -> str | None:
    """Why a plain scalar YAML reads as a number in a form other than plain decimal, or None."""
    sign = "-" if text.startswith("-") else ""
    body = text.lstrip("+-").replace("_", "")
    version, suggest = "1.1", None
    if len(body) > MAX_NUMBER_DIGITS + 2:
        return number_problem(body) or f"{text[:12]}… is too long for a number"
    if ":" in body:
        kind, value = "base 60", Decimal(0)
        for part in body.split(":"):
            value = value * 60 + Decimal(part)
    elif body[:2] in ("0b", "0x", "0o"):
        base = {"0b": 2, "0x": 16, "0o": 8}[body[:2]]
        kind = {2: "binary", 16: "hexadecimal", 8: "octal"}[base]
        version = "1.2" if base == 8 else "1.1"  # noqa: PLR2004 - the base, not a magic number
        value = Decimal(int(body[2:] or "0", base))
    elif body.startswith("0") and body[1:2].isdigit() and "." not in body:
        kind, value = "octal", Decimal(int(body, 8))
        suggest = f"{sign}{body.lstrip('0') or '0'}"
    else:
        kind, value = "digits grouped with _", Decimal(body)
        suggest = f"{sign}{body}"
    read_as = f"{sign}{value}"
    return (f"{text} is a YAML {version} number form ({kind}, read as {read_as}); "
            f"write {suggest or read_as}, or quote it")


class YamlReader:
    """Reads one YAML text into plain data, recording the line of every field path."""

    def __init__(self, text: str, file: str, lines: dict[Path_, int]) -> None:
        self.file = file
        self.lines = lines
        self.problems: list[Problem] = []
        self.loader = _Loader(text)
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.values = 0
        self.aliased = 0
        self.max_values = min(MAX_VALUES, MAX_VALUES_PER_CHAR * len(text) + 1000)

    def read(self) -> tuple[bool, Any]:
        """``(found, data)``: found is False when the text holds no document at all."""
        try:
            self.loader.get_event()  # StreamStart
            if self.loader.check_event(yaml.StreamEndEvent):
                return False, None
            self.loader.get_event()  # DocumentStart
            data = self._value(())
            self.loader.get_event()  # DocumentEnd
            if not self.loader.check_event(yaml.StreamEndEvent):
                event = self.loader.peek_event()
                self.problems.append(Problem(self.file, event.start_mark.line + 1, "",
                                             "the file holds more than one YAML document"))
            return True, data
        finally:
            self.loader.dispose()

    # -- limits ------------------------------------------------------------------------------

    def _refuse(self, line: int, path: Path_, what: str) -> InputError:
        shown = format_path(path[:8]) + ("…" if len(path) > 8 else "")  # noqa: PLR2004
        return InputError([Problem(self.file, line, shown, f"refused: {what}")])

    def _count(self, n: int, line: int, path: Path_) -> None:
        self.values += n
        if self.values > self.max_values:
            what = ("the file expands to far more values than its text holds (YAML aliases?)"
                    if self.aliased else f"the file holds more than {MAX_VALUES} values")
            raise self._refuse(line, path, what)

    # -- values ------------------------------------------------------------------------------

    def _value(self, path: Path_) -> Any:
        event = self.loader.get_event()
        line = event.start_mark.line + 1
        if len(path) > MAX_DEPTH:
            raise self._refuse(line, path, f"the file is nested more than {MAX_DEPTH} levels deep")
        self.lines.setdefault(path, line)
        if isinstance(event, yaml.AliasEvent):
            return self._alias(event.anchor, line, path)
        start = self.values
        self._count(1, line, path)
        if event.tag is not None:
            self.problems.append(Problem(
                self.file, line, format_path(path),
                f"the tag {_short_tag(event.tag)} is not accepted: docgen reads plain YAML "
                "values (quote the value if it is text)"))
        if isinstance(event, yaml.ScalarEvent):
            value = self._scalar(event, line, path)
        elif isinstance(event, yaml.SequenceStartEvent):
            value = self._sequence(path)
        else:
            value = self._mapping(line, path)
        if event.tag is not None:
            value = None
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, self.values - start)
        return value

    def _alias(self, anchor: str, line: int, path: Path_) -> Any:
        if anchor not in self.anchors:
            self.problems.append(Problem(self.file, line, format_path(path),
                                         f"*{anchor} refers to no anchor &{anchor} before it"))
            return None
        value, size = self.anchors[anchor]
        self.aliased += size
        self._count(size, line, path)
        return value

    def _sequence(self, path: Path_) -> list[Any]:
        out: list[Any] = []
        while not self.loader.check_event(yaml.SequenceEndEvent):
            if len(out) >= MAX_ITEMS:
                raise self._refuse(self.lines.get(path, 0), path,
                                   f"the list has more than {MAX_ITEMS} items")
            out.append(self._value((*path, len(out))))
        self.loader.get_event()
        return out

    def _mapping(self, line: int, path: Path_) -> dict[str, Any]:
        out: dict[str, Any] = {}
        merges: list[tuple[Any, int]] = []
        while not self.loader.check_event(yaml.MappingEndEvent):
            if len(out) >= MAX_ITEMS:
                raise self._refuse(self.lines.get(path, line), path,
                                   f"the mapping has more than {MAX_ITEMS} keys")
            key, key_line = self._key(path)
            if key is _MERGE:
                merges.append((self._value(path), key_line))
                continue
            if key is None or key in out:
                if key is not None:
                    self.problems.append(Problem(self.file, key_line,
                                                 format_path((*path, key)), "key appears twice"))
                self._value((*path, key if key is not None else "<key>"))  # read past it
                continue
            self.lines[(*path, key)] = key_line
            out[key] = self._value((*path, key))
        self.loader.get_event()
        for merged, key_line in merges:
            self._merge(out, merged, key_line, path)
        return out

    def _key(self, path: Path_) -> tuple[Any, int]:
        """The next key's text and line; None (with a problem) when it is not a plain word."""
        event = self.loader.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.ScalarEvent) and event.tag is None:
            self.loader.get_event()
            plain = bool(event.implicit[0])
            if plain and event.value == "<<":
                return _MERGE, line
            if not (plain and event.value in _NULL_KEYS):
                return event.value, line
        else:
            self._value((*path, "<key>"))
            if isinstance(event, yaml.ScalarEvent):
                return None, line  # a tagged key: the tag's problem says it all
        self.problems.append(Problem(self.file, line, format_path(path),
                                     "a key must be a plain word"))
        return None, line

    def _merge(self, out: dict[str, Any], merged: Any, line: int, path: Path_) -> None:
        """Add the keys of a ``<<`` merge that `out` does not set itself (YAML's merge key)."""
        sources = merged if isinstance(merged, list) else [merged]
        if not all(isinstance(m, dict) for m in sources):
            self.problems.append(Problem(self.file, line, format_path(path),
                                         "<< (merge) needs a mapping or a list of mappings"))
            return
        taken = set(out)
        for source in sources:
            for key, value in source.items():
                if key not in taken:
                    taken.add(key)
                    out[key] = value
                    self.lines.setdefault((*path, key), line)

    def _scalar(self, event: yaml.ScalarEvent, line: int, path: Path_) -> Any:
        text: str = event.value
        if event.tag is not None or not event.implicit[0]:
            return text  # quoted, a block scalar, or tagged (refused by the caller)
        tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
        problem: str | None = None
        value: Any = text
        if tag == f"{_YAML}null":
            value = None
        elif tag == f"{_YAML}bool":
            value = {"true": True, "false": False}.get(text.lower(), text)
        elif tag == f"{_YAML}int":
            if _DECIMAL_INT.fullmatch(text):
                problem = number_problem(text)
                value = None if problem else int(text)
            else:
                problem = _number_form(text)
        elif tag == f"{_YAML}float":
            if text.lower() in _NOT_FINITE:
                problem = f"{text!r} is not a finite number"
            elif ":" in text or "_" in text:
                problem = _number_form(text)
            else:
                problem = number_problem(text)
                value = None if problem else Decimal(text)
        elif tag == f"{_YAML}timestamp":
            try:
                value = _CONSTRUCTOR.construct_yaml_timestamp(yaml.ScalarNode(tag, text))
            except (ValueError, OverflowError):
                what = "date" if len(text) <= len("2026-12-31") else "date and time"
                problem = f"{text} is not a real {what}"
        elif _OCTAL_12.fullmatch(text):
            problem = _number_form(text)
        if problem:
            self.problems.append(Problem(self.file, line, format_path(path), problem))
            return None
        return value


#: Marks a ``<<`` merge key (compared by identity).
_MERGE: Any = object()

"""What a Jinja template uses: every dotted data path, with loops, includes and blocks followed.

The bottom of :mod:`docgen.templates_check`: it imports nothing of the package. A path is written
the way the context models read: ``{% for l in lines %}{{ l.sold_amount }}`` uses
``lines[].sold_amount``. :func:`resolve` looks a path up in a pydantic model (its ``model_fields``,
nested models, lists and dicts); :func:`syntax_location` places a syntax error where an author can
fix it (an unclosed ``{% if %}`` at its opening tag, not at the end of the file).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Use", "resolve", "sample_data", "syntax_location", "walk_template"]

#: Tags that open a block and the tag that closes each.
BLOCK_TAGS = {"for": "endfor", "if": "endif", "block": "endblock", "macro": "endmacro",
              "call": "endcall", "filter": "endfilter", "with": "endwith",
              "autoescape": "endautoescape", "set": "endset", "trans": "endtrans"}
_LOOP = "\x00loop"  # scope marker: Jinja's `loop` variable, not data
_STR_METHODS = frozenset(m for m in dir(str) if not m.startswith("_"))
_DICT_METHODS = frozenset({"items", "keys", "values", "get"})

@dataclass(frozen=True)
class Use:
    """A dotted data path used by a template, where, and whether it is printed."""

    path: str
    src: str
    lineno: int
    printed: bool
    lenient: bool  # inside `| default(...)` or `is defined`: a missing value is intended


@dataclass
class _Walk:
    """State of one walk over a template and what it includes."""

    env: Any
    load: Any  # name -> (source text, display name) or None
    uses: list[Use] = field(default_factory=list)
    errors: list[tuple[str, int, str]] = field(default_factory=list)  # (src, line, message)
    depth: int = 0


def _path(node: Any, scope: Mapping[str, str | None], env: Any) -> str | None:
    """The dotted data path of an expression (``lines[].code``), or None when it is not data."""
    from jinja2 import nodes

    if isinstance(node, nodes.Name):
        if node.name in scope:
            return scope[node.name]
        if node.name in env.globals:
            return None
        return node.name
    if isinstance(node, nodes.Getattr):
        base = _path(node.node, scope, env)
        return None if base is None or base == _LOOP else f"{base}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        base = _path(node.node, scope, env)
        if base is None or base == _LOOP:
            return None
        arg = node.arg
        if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
            return f"{base}.{arg.value}"
        if isinstance(arg, nodes.Const) and isinstance(arg.value, int):
            return f"{base}[]"
        if isinstance(arg, nodes.Slice):
            return base
        return f"{base}.*"  # a computed key: only the base can be checked
    return None


def _bind(target: Any, path: str | None, scope: dict[str, str | None]) -> None:
    from jinja2 import nodes

    if isinstance(target, nodes.Name):
        scope[target.name] = path
    elif isinstance(target, nodes.Tuple):
        for item in target.items:
            _bind(item, None, scope)


def _visit(node: Any, scope: dict[str, str | None], w: _Walk, src: str, *,
           printed: bool = False, lenient: bool = False,
           blocks: Mapping[str, tuple[Any, str]] | None = None) -> None:
    """Record every data path under `node`, following loops, includes and block overrides."""
    from jinja2 import nodes

    if isinstance(node, nodes.For):
        _visit(node.iter, scope, w, src, blocks=blocks)
        inner = dict(scope)
        base = _path(node.iter, scope, w.env)
        _bind(node.target, f"{base}[]" if base and base != _LOOP else None, inner)
        inner["loop"] = _LOOP
        if node.test is not None:
            _visit(node.test, inner, w, src, blocks=blocks)
        for child in node.body:
            _visit(child, inner, w, src, blocks=blocks)
        for child in node.else_:
            _visit(child, scope, w, src, blocks=blocks)
        return
    if isinstance(node, nodes.Assign):
        _visit(node.node, scope, w, src, blocks=blocks)
        _bind(node.target, _path(node.node, scope, w.env), scope)
        return
    if isinstance(node, nodes.AssignBlock):
        for child in node.body:
            _visit(child, scope, w, src, blocks=blocks)
        _bind(node.target, None, scope)
        return
    if isinstance(node, nodes.Macro | nodes.CallBlock):
        inner = dict(scope)
        for arg in getattr(node, "args", []):
            _bind(arg, None, inner)
        for name in ("caller", "varargs", "kwargs"):
            inner[name] = None
        if isinstance(node, nodes.CallBlock):
            _visit(node.call, scope, w, src, blocks=blocks)
        for child in node.body:
            _visit(child, inner, w, src, blocks=blocks)
        if isinstance(node, nodes.Macro):
            scope[node.name] = None
        return
    if isinstance(node, nodes.With):
        inner = dict(scope)
        for target, value in zip(node.targets, node.values, strict=False):
            _visit(value, scope, w, src, blocks=blocks)
            _bind(target, _path(value, scope, w.env), inner)
        for child in node.body:
            _visit(child, inner, w, src, blocks=blocks)
        return
    if isinstance(node, nodes.Output):
        for child in node.nodes:
            _visit(child, scope, w, src, printed=True, lenient=lenient, blocks=blocks)
        return
    if isinstance(node, nodes.Block):
        if blocks and node.name in blocks:
            body, body_src = blocks[node.name]
            for child in body:
                _visit(child, scope, w, body_src, blocks=blocks)
        else:
            for child in node.body:
                _visit(child, scope, w, src, blocks=blocks)
        return
    if isinstance(node, nodes.Include):
        _include(node, scope, w, src, blocks)
        return
    if isinstance(node, nodes.Filter | nodes.Test) and node.name in ("default", "d", "defined",
                                                                     "undefined"):
        if node.node is not None:
            _visit(node.node, scope, w, src, printed=printed, lenient=True, blocks=blocks)
        for child in [*node.args, *[k.value for k in node.kwargs]]:
            _visit(child, scope, w, src, printed=printed, lenient=lenient, blocks=blocks)
        return
    if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem):
        path = _path(node, scope, w.env)
        if path is not None and path != _LOOP:
            w.uses.append(Use(path, src, node.lineno, printed, lenient))
        # computed keys (label[l.code]) are expressions of their own
        inner: Any = node
        while isinstance(inner, nodes.Getattr | nodes.Getitem):
            if isinstance(inner, nodes.Getitem) and not isinstance(inner.arg, nodes.Const):
                _visit(inner.arg, scope, w, src, blocks=blocks)
            inner = inner.node
        if not isinstance(inner, nodes.Name):
            _visit(inner, scope, w, src, printed=printed, lenient=lenient, blocks=blocks)
        return
    for child in node.iter_child_nodes():
        _visit(child, scope, w, src, printed=printed, lenient=lenient, blocks=blocks)


def _include(node: Any, scope: dict[str, str | None], w: _Walk, src: str,
             blocks: Mapping[str, tuple[Any, str]] | None) -> None:
    from jinja2 import nodes

    if not isinstance(node.template, nodes.Const) or not isinstance(node.template.value, str):
        return  # a computed template name cannot be followed
    name = node.template.value
    loaded = w.load(name)
    if loaded is None:
        if not node.ignore_missing:
            w.errors.append((src, node.lineno, f"includes {name!r}, which does not exist"))
        return
    if w.depth > 20:
        w.errors.append((src, node.lineno, f"includes {name!r} too deeply (a loop?)"))
        return
    tree = _parse(w, loaded[0], loaded[1])
    if tree is None:
        return
    w.depth += 1
    inner = dict(scope) if node.with_context else {}
    for child in tree.body:
        _visit(child, inner, w, loaded[1], blocks=blocks)
    w.depth -= 1


def _parse(w: _Walk, source: str, src: str) -> Any:
    """Parse `source`; a syntax error is recorded (once per file) and None returned."""
    from jinja2 import TemplateSyntaxError

    try:
        return w.env.parse(source)
    except TemplateSyntaxError as exc:
        if not any(e[0] == src for e in w.errors):
            line, msg = syntax_location(w.env, source, exc)
            w.errors.append((src, line, msg))
        return None


def walk_template(env: Any, source: str, src: str, load: Any) -> _Walk:
    """Every data path `source` uses, following ``{% extends %}`` and ``{% include %}``."""
    from jinja2 import nodes

    w = _Walk(env=env, load=load)
    tree = _parse(w, source, src)
    if tree is None:
        return w
    ext = next(iter(tree.find_all(nodes.Extends)), None)
    if ext is not None and isinstance(ext.template, nodes.Const):
        parent = load(ext.template.value)
        if parent is None:
            w.errors.append((src, ext.lineno,
                             f"extends {ext.template.value!r}, which does not exist"))
            return w
        blocks = {b.name: (b.body, src) for b in tree.find_all(nodes.Block)}
        ptree = _parse(w, parent[0], parent[1])
        if ptree is not None:
            for child in ptree.body:
                _visit(child, {}, w, parent[1], blocks=blocks)
        return w
    for child in tree.body:
        _visit(child, {}, w, src)
    return w


# --------------------------------------------------------------------------------------------
# Comparing paths with the context model

def _tokens(path: str) -> list[str]:
    return re.findall(r"\[\]|[^.\[\]]+", path)


def _unwrap(tp: Any) -> Any:
    import types
    import typing

    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else tp
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    return tp


def _kind_of(tp: Any) -> str:
    return {str: "text", int: "a number", bool: "yes/no", float: "a number"}.get(tp, "a value")


def resolve(model: Any, path: str) -> str | None:
    """None when `path` exists in `model`; else why not, e.g. "lines[] has no field 'x'"."""
    import difflib
    import typing

    from pydantic import BaseModel

    tp: Any = model
    seen: list[str] = []
    for tok in _tokens(path):
        tp = _unwrap(tp)
        prefix = "".join(t if t == "[]" else f".{t}" for t in seen).lstrip(".") or "the data"
        origin = typing.get_origin(tp)
        if tok == "*":
            return None
        if tok == "[]":
            if origin in (list, tuple):
                tp = typing.get_args(tp)[0]
                seen.append(tok)
                continue
            return f"{prefix} is not a list"
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            fields = tp.model_fields
            if tok in fields:
                tp = fields[tok].annotation
                seen.append(tok)
                continue
            if tok in _DICT_METHODS:
                return None
            close = difflib.get_close_matches(tok, list(fields), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            if not seen:
                return f"there is no variable {tok!r}{hint}"
            return f"{prefix} has no field {tok!r}{hint}"
        if origin is dict:
            if tok in _DICT_METHODS:
                return None
            tp = typing.get_args(tp)[1]
            seen.append(tok)
            continue
        if origin in (list, tuple):
            return f"{prefix} is a list: loop over it ({{% for x in {prefix} %}}) to use {tok!r}"
        if tp is str and tok in _STR_METHODS:
            return None
        return f"{prefix} is {_kind_of(tp)}, it has no field {tok!r}"
    return None


def sample_data(model: Any, full: bool) -> Any:
    """Data shaped like `model`: every list with one item (`full`) or none, every flag = `full`."""
    import typing

    from pydantic import BaseModel

    tp = _unwrap(model)
    origin = typing.get_origin(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return {name: sample_data(f.annotation, full) for name, f in tp.model_fields.items()}
    if origin in (list, tuple):
        return [sample_data(typing.get_args(tp)[0], full)] if full else []
    if origin is dict:
        return {}
    if tp is bool:
        return full
    if tp is int:
        return 1
    return "Sample" if full else ""


# --------------------------------------------------------------------------------------------
# Syntax errors: where they are

def syntax_location(env: Any, source: str, exc: Any) -> tuple[int, str]:
    """(line, message) of a syntax error; an unclosed block is placed at its opening tag."""
    msg = exc.message or str(exc)
    if "end of template" in msg or "unknown tag 'end" in msg or "Encountered unknown tag" in msg:
        found = _block_problem(env, source)
        if found is not None:
            return found
    return exc.lineno or 1, f"syntax error: {msg.splitlines()[0]}"


def _block_problem(env: Any, source: str) -> tuple[int, str] | None:
    """The innermost block opened but never closed, or a closing tag with no opener."""
    from jinja2 import TemplateSyntaxError

    stack: list[tuple[str, int]] = []
    try:
        toks = [t for t in env.lex(source) if t[1] != "whitespace"]
    except TemplateSyntaxError:
        return None
    i = 0
    while i < len(toks):
        line, kind, _value = toks[i]
        if kind == "block_begin" and i + 1 < len(toks) and toks[i + 1][1] == "name":
            tag = toks[i + 1][2]
            j = i + 2
            body = []
            while j < len(toks) and toks[j][1] != "block_end":
                body.append(toks[j])
                j += 1
            is_block_set = tag == "set" and not any(t[2] == "=" for t in body)
            if tag in BLOCK_TAGS and (tag != "set" or is_block_set):
                stack.append((tag, line))
            elif tag.startswith("end"):
                if stack and BLOCK_TAGS[stack[-1][0]] == tag:
                    stack.pop()
                elif stack:
                    opened, at = stack[-1]
                    return at, (f"{{% {opened} %}} is never closed: add "
                                f"{{% {BLOCK_TAGS[opened]} %}} before the {{% {tag} %}} "
                                "that follows it")
                else:
                    return line, f"{{% {tag} %}} closes a block that was never opened"
            i = j
        i += 1
    if stack:
        opened, at = stack[-1]
        return at, (f"{{% {opened} %}} is never closed: add {{% {BLOCK_TAGS[opened]} %}} "
                    "where the block ends")
    return None

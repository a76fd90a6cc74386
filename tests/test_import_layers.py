"""Imports point one way: no cycle between the catalogue lock and the workspace, nor inside the
template check (issue 10). Every import counts, including those inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import docgen
import docgen.templates_check

PACKAGE = Path(docgen.__file__).resolve().parent

#: The template check's modules, each allowed to import only those after it in this list.
TEMPLATES_CHECK_LAYERS = ("__init__", "_check", "_html", "_docx", "_catalog", "_problems", "_paths")


def _docgen_imports(path: Path) -> set[str]:
    """Every ``docgen…`` module a file imports (absolute names; ``from x import y`` gives x.y
    as well as x, since y may be a module)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            base = node.module or ""
            out.add(base)
            out.update(f"{base}.{a.name}" for a in node.names)
    return {m for m in out if m == "docgen" or m.startswith("docgen.")}


def test_import_layers_catalogue_never_imports_the_workspace() -> None:
    # given / when
    imported = _docgen_imports(PACKAGE / "catalogue.py")
    # then
    assert not {m for m in imported if m.startswith("docgen.workspace")}, imported


@pytest.mark.parametrize("name", TEMPLATES_CHECK_LAYERS)
def test_import_layers_templates_check_points_one_way(name: str) -> None:
    # given
    below = TEMPLATES_CHECK_LAYERS[TEMPLATES_CHECK_LAYERS.index(name) + 1:]
    prefix = "docgen.templates_check"
    # when
    imported = _docgen_imports(PACKAGE / "templates_check" / f"{name}.py")
    own = {m.removeprefix(prefix).lstrip(".").split(".")[0] for m in imported
           if m == prefix or m.startswith(prefix + ".")}
    # then: only modules of a lower layer (a name imported from one of them is not a module)
    modules = {m for m in own if m in TEMPLATES_CHECK_LAYERS or m == ""}
    assert modules <= set(below), f"{name} imports {sorted(modules - set(below))}"


def test_import_layers_templates_check_has_every_module_in_a_layer() -> None:
    # given / when
    found = {p.stem for p in (PACKAGE / "templates_check").glob("*.py")}
    # then: a new module must be given its place above
    assert found == set(TEMPLATES_CHECK_LAYERS)


def test_import_layers_templates_check_exports_match_all() -> None:
    # given
    public = {n for n in vars(docgen.templates_check) if not n.startswith("_")}
    # when / then
    assert docgen.templates_check.__all__ == sorted(docgen.templates_check.__all__)
    assert set(docgen.templates_check.__all__) == public


#: What a front end may import of docgen besides its own package (SPEC: one door).
FRONT_END_ALLOWED = ("docgen.api", "docgen.errors", "docgen.findings")


@pytest.mark.parametrize("front_end", ["cli", "web"])
def test_import_layers_front_ends_go_through_the_api(front_end: str) -> None:
    own = f"docgen.{front_end}"
    bad = {}
    for path in sorted((PACKAGE / front_end).rglob("*.py")):
        wrong = sorted(m for m in _docgen_imports(path)
                       if m != "docgen" and not m.startswith(own)
                       and not any(m == a or m.startswith(a + ".") for a in FRONT_END_ALLOWED))
        if wrong:
            bad[path.name] = wrong
    assert bad == {}

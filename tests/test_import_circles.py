"""No import circle among the project's modules: each module's run-time imports (those at module
level, not under `if TYPE_CHECKING:`) form no cycle, so any module imports first on its own
and a change cannot leave one half-initialised by the order others happen to be imported in.
Imports inside functions run later, once every module is loaded, and are not edges here."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
from pathlib import Path

import audit

# Installed as sub-packages of `audit` from folders beside it (pyproject's package-dir), which a
# walk of audit's own folder does not find.
MAPPED_PACKAGES = ("audit.jobs", "audit.templates", "audit.sample_db")


def project_modules() -> dict[str, Path]:
    modules = module_files("audit", list(audit.__path__))
    for name in MAPPED_PACKAGES:
        modules |= module_files(name, list(importlib.import_module(name).__path__))
    return modules


def module_files(package: str, paths: list[str]) -> dict[str, Path]:
    """Every module of the package (its sub-packages included, as installed) by dotted name."""
    found = {package: Path(paths[0]) / "__init__.py"}
    for info in pkgutil.walk_packages(paths, prefix=package + "."):
        spec = importlib.util.find_spec(info.name)
        if spec is None or spec.origin is None:
            continue
        origin = Path(spec.origin)
        if origin.suffix != ".py":  # compiled: its source beside it
            origin = origin.with_name(origin.name.split(".")[0] + ".py")
        if origin.exists():
            found[info.name] = origin
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports that run when the module is imported: at module level, in try/if blocks, but
    not under `if TYPE_CHECKING:` nor inside functions or classes' methods."""
    out: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            out.append(node)
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                pending += node.body
            pending += node.orelse
        elif isinstance(node, ast.Try):
            pending += node.body + node.orelse + node.finalbody
            for handler in node.handlers:
                pending += handler.body
        elif isinstance(node, ast.With):
            pending += node.body
        elif isinstance(node, ast.ClassDef):
            pending += [n for n in node.body if not isinstance(n, ast.FunctionDef)]
    return out


def runtime_imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """For each module, the modules among `modules` its run-time imports load."""
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        here = name if is_package else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in _module_level_imports(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
                continue
            base = node.module or ""
            if node.level:
                parent = here.rsplit(".", node.level - 1)[0] if node.level > 1 else here
                base = f"{parent}.{base}" if base else parent
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names)
        edges[name] = {t for t in targets if t in modules and t != name}
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected group of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_module_of_the_project_imports_itself_in_a_circle() -> None:
    modules = project_modules()
    assert "audit.engine.runner" in modules and "audit.jobs.partition" in modules
    assert circles(runtime_imports(modules)) == []


def test_profiles_reads_certview_for_type_hints_only() -> None:
    """certview and profiles name each other; profiles imports certview only for type hints."""
    edges = runtime_imports(project_modules())
    assert "audit.engine.profiles" in edges["audit.engine.certview"]
    assert "audit.engine.certview" not in edges["audit.engine.profiles"]


def test_a_circle_is_found(tmp_path: Path) -> None:
    """The check can fail: a package whose modules import each other at module level (one
    through `from . import`) is a circle; the same import under TYPE_CHECKING or inside a
    function is not."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("from . import c\n")
    (package / "c.py").write_text("import pkg.a\n")
    (package / "d.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import e\n"
    )
    (package / "e.py").write_text("def f():\n    from pkg import d\n")
    modules = {f"pkg.{p.stem}": p for p in package.glob("*.py") if p.stem != "__init__"}
    modules["pkg"] = package / "__init__.py"
    assert circles(runtime_imports(modules)) == [["pkg.a", "pkg.b", "pkg.c"]]

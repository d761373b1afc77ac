"""Which of the project's modules run compiled, and an edited source never shadowed.

setup.py compiles the engine's hot modules and every lint module with Cython, where it and a
C compiler are at hand, and writes beside this file the hash of each source it compiled
(`compiled_sources.json`, keyed by the module's path under `audit/`, without `.py`). Python
imports a compiled module before its source, so where the source no longer is what was
compiled (an edit in an editable install) it is imported from the source instead, with a
warning to rebuild; and with CERTCENSUS_PURE_PYTHON=1 every one of them is (to compare the two,
or to debug). `install()` runs when the `audit` package is imported, before any of them.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from pathlib import Path

PACKAGE = Path(__file__).parent
SOURCES_FILE = "compiled_sources.json"


class _FromSource(importlib.abc.MetaPathFinder):
    """Finds the named modules' sources, ahead of their compiled forms."""

    def __init__(self, sources: dict[str, Path]) -> None:
        self.sources = sources

    def find_spec(
        self, name: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        source = self.sources.get(name)
        return importlib.util.spec_from_file_location(name, source) if source else None


def sources_to_prefer(package: Path, pure: bool) -> dict[str, Path]:
    """The compiled modules (by dotted name) to import from their source in `package` (the
    `audit` folder): every one when `pure`, else those whose source changed after it was
    compiled."""
    try:
        compiled_from = json.loads((package / SOURCES_FILE).read_text())
    except (OSError, ValueError):  # not compiled
        return {}
    found = {}
    for relative, digest in compiled_from.items():
        source = package / f"{relative}.py"
        compiled = any(
            (package / f"{relative}{s}").exists() for s in importlib.machinery.EXTENSION_SUFFIXES
        )
        if not compiled or not source.exists():
            continue
        name = ".".join([package.name, *relative.split("/")])
        if pure:
            found[name] = source
        elif source_digest(source) != digest:
            warnings.warn(
                f"{package.name}/{relative}.py changed after it was compiled: running it as "
                "Python (slower) until the next `python -m pip install -e .`",
                stacklevel=1,
            )
            found[name] = source
    return found


def source_digest(source: Path) -> str:
    """What setup.py hashes: the .py, then the .pxd that gives it C types, if there is one."""
    typed = source.with_suffix(".pxd")
    text = source.read_bytes() + (typed.read_bytes() if typed.exists() else b"")
    return hashlib.sha256(text).hexdigest()


def install() -> None:
    if prefer := sources_to_prefer(PACKAGE, pure=os.environ.get("CERTCENSUS_PURE_PYTHON") == "1"):
        sys.meta_path.insert(0, _FromSource(prefer))

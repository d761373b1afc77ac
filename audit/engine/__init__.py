"""The lint engine: the certificate as lints see it, profiles, the catalogue and the runner.

Its hot modules may be compiled (setup.py, Cython). Python imports a compiled module before
its source, so where the source no longer is what was compiled (an edit in an editable install)
it is imported from the source instead, with a warning to rebuild; and with
CERTCENSUS_PURE_PYTHON=1 every one of them is (to compare the two, or to debug).
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


class _FromSource(importlib.abc.MetaPathFinder):
    """Finds the named engine modules' sources, ahead of their compiled forms."""

    def __init__(self, sources: dict[str, Path]) -> None:
        self.sources = sources

    def find_spec(
        self, name: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        source = self.sources.get(name)
        return importlib.util.spec_from_file_location(name, source) if source else None


def sources_to_prefer(here: Path, pure: bool) -> dict[str, Path]:
    """The engine modules (by name) to import from their source in `here`: every compiled one
    when `pure`, else those whose source changed after it was compiled."""
    try:
        compiled_from = json.loads((here / "compiled_sources.json").read_text())
    except (OSError, ValueError):  # not compiled
        return {}
    found = {}
    for name, digest in compiled_from.items():
        source = here / f"{name}.py"
        compiled = any(
            (here / f"{name}{s}").exists() for s in importlib.machinery.EXTENSION_SUFFIXES
        )
        if not compiled or not source.exists():
            continue
        if pure:
            found[f"{__name__}.{name}"] = source
        elif _digest(source) != digest:
            warnings.warn(
                f"audit/engine/{name}.py changed after it was compiled: running it as Python "
                "(slower) until the next `python -m pip install -e .`",
                stacklevel=1,
            )
            found[f"{__name__}.{name}"] = source
    return found


def _digest(source: Path) -> str:
    """What setup.py hashed: the .py, then the .pxd that gives it C types, if there is one."""
    typed = source.with_suffix(".pxd")
    text = source.read_bytes() + (typed.read_bytes() if typed.exists() else b"")
    return hashlib.sha256(text).hexdigest()


if _prefer := sources_to_prefer(
    Path(__file__).parent, pure=os.environ.get("CERTCENSUS_PURE_PYTHON") == "1"
):
    sys.meta_path.insert(0, _FromSource(_prefer))

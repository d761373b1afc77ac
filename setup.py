"""The engine's hot modules and the lint modules, compiled with Cython where it and a C compiler
are at hand.

They stay plain Python, one source: Cython compiles each file as it is, and a module that does
not compile (or an install without a compiler) simply runs as Python, with the same results.
Compiled, a certificate takes 30% fewer instructions to lint than as Python (1.00 M against
1.43 M; `python -m audit.jobs.benchmark_lint_speed --instructions`, and
`CERTCENSUS_PURE_PYTHON=1` for the Python side); compiling the lints too saved 13%. The hash of each source compiled (with its .pxd of C types, where it has
one) is written to audit/compiled_sources.json, so that audit/compiled.py can tell when an
editable install's source has changed since. (setup.py cannot import the package it builds:
the hash is computed here as audit/compiled.py's `source_digest` does.)
"""

import hashlib
import json
from pathlib import Path

from setuptools import setup

PACKAGE = Path("audit")
ENGINE_MODULES = ("certview", "der", "fast", "memo", "names", "profiles", "runner")


def _compiled_sources() -> list[Path]:
    """The engine's hot modules, and every module of a lint (the lints' own code is half of a
    certificate's time)."""
    lints = [p for p in sorted((PACKAGE / "lints").rglob("*.py")) if p.name != "__init__.py"]
    return [PACKAGE / "engine" / f"{name}.py" for name in ENGINE_MODULES] + lints


def _extensions() -> list:
    try:
        from Cython.Build import cythonize
    except ImportError:  # built without Cython: everything runs as Python
        return []
    sources = _compiled_sources()
    # A module's source is its .py and, where there is one, the .pxd that types it (der.pxd).
    digests = {
        path.relative_to(PACKAGE).with_suffix("").as_posix(): hashlib.sha256(
            b"".join(p.read_bytes() for p in (path, path.with_suffix(".pxd")) if p.exists())
        ).hexdigest()
        for path in sources
    }
    (PACKAGE / "compiled_sources.json").write_text(json.dumps(digests, indent=0))
    # Annotations stay hints, as in Python: typed arguments would refuse, say, a memoryview.
    modules = cythonize(
        [str(path) for path in sources],
        compiler_directives={"language_level": 3, "binding": True, "annotation_typing": False},
        quiet=True,
        nthreads=2,
    )
    for module in modules:
        module.optional = True  # a module that does not compile stays Python
    return modules


setup(ext_modules=_extensions(), options={"build_ext": {"parallel": 2}})

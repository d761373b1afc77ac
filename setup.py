"""The engine's hot modules, compiled with Cython where it and a C compiler are at hand.

They stay plain Python, one source: Cython compiles each file as it is, and a module that does
not compile (or an install without a compiler) simply runs as Python, with the same results.
Compiled, the engine lints a certificate with about a fifth fewer instructions
(1.17 M against 1.44 M; `python -m audit.jobs.benchmark_lint_speed --instructions`, and
`CERTCENSUS_PURE_PYTHON=1` for the Python side). The hash of each source compiled
(with its .pxd of C types, where it has one) is written beside it, so that
audit/engine/__init__.py can tell when an editable install's source has changed since.
"""

import hashlib
import json
from pathlib import Path

from setuptools import setup

ENGINE = Path("audit/engine")
COMPILED = ("certview", "der", "fast", "memo", "names", "profiles", "runner")


def _extensions() -> list:
    try:
        from Cython.Build import cythonize
    except ImportError:  # built without Cython: the engine runs as Python
        return []
    # A module's source is its .py and, where there is one, the .pxd that types it (der.pxd).
    sources = {
        name: b"".join(
            p.read_bytes() for p in (ENGINE / f"{name}.py", ENGINE / f"{name}.pxd") if p.exists()
        )
        for name in COMPILED
    }
    (ENGINE / "compiled_sources.json").write_text(
        json.dumps({name: hashlib.sha256(text).hexdigest() for name, text in sources.items()})
    )
    # Annotations stay hints, as in Python: typed arguments would refuse, say, a memoryview.
    modules = cythonize(
        [str(ENGINE / f"{name}.py") for name in COMPILED],
        compiler_directives={"language_level": 3, "binding": True, "annotation_typing": False},
        quiet=True,
    )
    for module in modules:
        module.optional = True  # a module that does not compile stays Python
    return modules


setup(ext_modules=_extensions(), options={"build_ext": {"parallel": 2}})

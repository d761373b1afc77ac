"""The engine's hot modules and the hottest lint modules, compiled with Cython where it and a C
compiler are at hand.

They stay plain Python, one source: Cython compiles each file as it is, and a module that does
not compile (or an install without a compiler) simply runs as Python, with the same results.
What is compiled is what pays for its install time (instructions per certificate by
`python -m audit.jobs.benchmark_lint_speed --instructions`; the figures are in README.md): the
engine, and the twelve lint modules that take most of the lints' time; the other lint modules run
as Python, so an edited rule is in force with no rebuild (an edited compiled module is
imported from its source until the next install: audit/compiled.py). The hash of each source
compiled (with its .pxd of C types, where it has one) is written to
audit/compiled_sources.json, so that audit/compiled.py can tell when an editable install's
source has changed since. (setup.py cannot import the package it builds: the hash is computed
here as audit/compiled.py's `source_digest` does.) A re-install compiles only what changed:
Cython skips a module whose C file is newer than its source, and build_ext one whose compiled
module is newer than its C file (_ReuseCompiled).
"""

import hashlib
import json
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

PACKAGE = Path("audit")
ENGINE_MODULES = (
    "certview",
    "ct_tbs",
    "der",
    "lean_stdlib",
    "names",
    "parts",
    "profiles",
    "runner",
    "shared",
)
# The lint modules that take the most of a certificate's time as Python (cProfile's own time
# per module over the benchmark's certificates). The first six saved 5% of a certificate's
# instructions (1,219,112 -> 1,151,916) for 29 s of CPU at install. On 2026-12-06 (count 400,
# `--instructions`): with those six, 1,100,141; with the next six of the list, 1,057,356, for
# a fresh `pip install -e .` of 62-71 s against 52 s (`../shared/checks/fresh_clone.sh
# --install-only`); with seventeen more than the six, 1,018,243, but 92 s, past the install's
# budget of 90 s. So twelve.
HOT_LINT_MODULES = (
    "cabf_br/subject_encoding",
    "cabf_br/subject",
    "rfc5280/string_types",
    "dns_syntax",
    "apple/ct",
    "rfc5280/names",
    "cabf_br/san",
    "community/name_text",
    "mozilla/encoding",
    "rfc5280/time_encoding",
    "community/dns_names",
    "cabf_br/_shared",
)


# After Python's own flags (-g -O3), so they win. Cython's C is mostly calls into Python's C
# API: -O1 without debug information compiles in a quarter of the time (certview.c: 8 s
# against 30 s of CPU; the 14 modules: 31 s against about 90 s) for 1% more instructions per
# certificate (1,164,133 against 1,151,916).
COMPILER_FLAGS = ["-O1", "-g0"]


def _compiled_sources() -> list[Path]:
    engine = [PACKAGE / "engine" / f"{name}.py" for name in ENGINE_MODULES]
    return engine + [PACKAGE / "lints" / f"{name}.py" for name in HOT_LINT_MODULES]


def _remove_compiled_leftovers(sources: list[Path]) -> None:
    """Delete what an earlier install compiled and this one does not (the lint modules once
    were; a module renamed or removed): a compiled module would be imported before its
    source, edited or not, and one whose source is gone would still be importable."""
    kept = {path.with_suffix("") for path in sources}
    for built in [*PACKAGE.rglob("*.so"), *PACKAGE.rglob("*.pyd"), *PACKAGE.rglob("*.c")]:
        if built.with_name(built.name.split(".")[0]) not in kept:
            built.unlink()


def _extensions() -> list:
    try:
        from Cython.Build import cythonize
    except ImportError:  # built without Cython: everything runs as Python
        return []
    sources = _compiled_sources()
    _remove_compiled_leftovers(sources)
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
        module.extra_compile_args += COMPILER_FLAGS
    return modules


class _ReuseCompiled(build_ext):
    """An editable install builds in a fresh temporary folder each time, then copies each
    compiled module beside its source: one there already, newer than the C file it was
    compiled from (which Cython rewrites only when the source changed), is taken as built."""

    def build_extension(self, ext) -> None:  # type: ignore[no-untyped-def]
        beside_source = Path(self.get_ext_filename(ext.name))
        sources = [Path(p) for p in [*ext.sources, *ext.depends]]
        if beside_source.exists() and all(
            p.stat().st_mtime <= beside_source.stat().st_mtime for p in sources if p.exists()
        ):
            target = Path(self.get_ext_fullpath(ext.name))
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(beside_source, target)
            return
        super().build_extension(ext)


setup(
    ext_modules=_extensions(),
    cmdclass={"build_ext": _ReuseCompiled},
    options={"build_ext": {"parallel": 2}},
)

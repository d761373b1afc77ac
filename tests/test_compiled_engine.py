"""The compiled modules (setup.py: the engine's hot modules and the hottest lint modules) and
their Python source give the same findings and share the same results, and an edited source is not shadowed
by what was compiled before the edit (audit/compiled.py)."""

from __future__ import annotations

import hashlib
import importlib.machinery
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import audit
from audit.compiled import SOURCES_FILE, sources_to_prefer
from audit.engine.registry import Catalogue
from audit.engine.runner import Engine
from tests.test_shared_results import _findings, _golden_certificates

_DUMP = """
import json, sys
from audit.engine.registry import Catalogue
from audit.engine.runner import Engine
import audit.engine.certview
ders = [bytes.fromhex(h) for h in json.load(sys.stdin)]
engine = Engine(Catalogue.load())
out = [[(r.lint.name, r.status.label, r.message) for r in engine.lint_der(d).results] for d in ders]
print(json.dumps({"module": audit.engine.certview.__file__, "findings": out}))
"""


def test_the_python_source_finds_what_this_install_finds() -> None:
    ders = _golden_certificates()
    here = [list(r) for r in _full(Engine(Catalogue.load()), ders)]
    result = subprocess.run(
        [sys.executable, "-c", _DUMP],
        input=json.dumps([d.hex() for d in ders]),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "CERTCENSUS_PURE_PYTHON": "1"},
    )
    pure = json.loads(result.stdout)
    assert pure["module"].endswith("certview.py")  # the source, compiled or not here
    assert pure["findings"] == [[list(f) for f in r] for r in here]


def _full(engine: Engine, ders: list[bytes]) -> list[list[tuple[str, str, str]]]:
    return [
        [(r.lint.name, r.status.label, r.message) for r in engine.lint_der(d).results] for d in ders
    ]


def test_findings_only_agree_too() -> None:
    """findings-only (what a run writes) in this install, compiled or not, against full mode."""
    ders = _golden_certificates()[:200]
    catalogue = Catalogue.load()
    full = [
        [f for f in r if f[1] not in ("pass", "na", "ne")] for r in _full(Engine(catalogue), ders)
    ]
    assert _findings(Engine(catalogue), ders) == full


def test_the_engine_is_compiled_with_the_hottest_lint_modules_only() -> None:
    """setup.py compiles the engine's hot modules and the few lint modules that take most of a
    certificate's time; every other lint module runs as Python (edited, it is in force with
    no rebuild). Where this install was compiled at all: without Cython or a compiler, all of
    it runs as Python."""
    listing = Path(audit.__file__).parent / SOURCES_FILE
    if not listing.exists():
        pytest.skip("this install was built without Cython: nothing is compiled")
    compiled = set(json.loads(listing.read_text()))
    assert {"engine/certview", "engine/runner", "engine/der", "engine/shared"} <= compiled
    assert "lints/cabf_br/subject_encoding" in compiled
    assert len([m for m in compiled if m.startswith("lints/")]) <= 12
    from audit.engine import certview
    from audit.lints.cabf_br import policies

    assert policies.__file__.endswith(".py")
    # and the compiled engine is the one imported, unless audit/compiled.py prefers its source
    pure = os.environ.get("CERTCENSUS_PURE_PYTHON") == "1"
    package = Path(audit.__file__).parent
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an edited source: said when `audit` was imported
        from_source = "audit.engine.certview" in sources_to_prefer(package, pure=pure)
    assert certview.__file__.endswith(".py") == from_source


def _compiled(package: Path, relative: str, source: bytes, compiled_from: bytes) -> Path:
    """`package` (an `audit` folder) with `relative` compiled from `compiled_from`, its source
    now `source`; returns the source's path."""
    path = package / f"{relative}.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(source)
    path.with_name(path.stem + importlib.machinery.EXTENSION_SUFFIXES[0]).write_bytes(b"")
    digests = {relative: hashlib.sha256(compiled_from).hexdigest()}
    (package / SOURCES_FILE).write_text(json.dumps(digests))
    return path


def test_an_edited_source_is_imported_instead_of_its_compiled_module(tmp_path: Path) -> None:
    package = tmp_path / "audit"
    runner = _compiled(package, "engine/runner", b"x = 2\n", compiled_from=b"x = 1\n")
    with pytest.warns(UserWarning, match="runner.py changed after it was compiled"):
        preferred = sources_to_prefer(package, pure=False)
    assert preferred == {"audit.engine.runner": runner}


def test_an_edited_lint_module_is_imported_from_source_too(tmp_path: Path) -> None:
    package = tmp_path / "audit"
    san = _compiled(package, "lints/cabf_br/san", b"x = 2\n", compiled_from=b"x = 1\n")
    with pytest.warns(UserWarning, match="audit/lints/cabf_br/san.py changed"):
        assert sources_to_prefer(package, pure=False) == {"audit.lints.cabf_br.san": san}


def test_an_unchanged_source_leaves_its_compiled_module_in_use(tmp_path: Path) -> None:
    package = tmp_path / "audit"
    runner = _compiled(package, "engine/runner", b"x = 1\n", compiled_from=b"x = 1\n")
    assert sources_to_prefer(package, pure=False) == {}
    assert sources_to_prefer(package, pure=True) == {"audit.engine.runner": runner}


def test_an_edited_pxd_counts_as_an_edited_source(tmp_path: Path) -> None:
    """der.py's C types live in der.pxd: compiled before the .pxd changed is out of date too."""
    package = tmp_path / "audit"
    der = _compiled(package, "engine/der", b"x = 1\n", compiled_from=b"x = 1\n")
    assert sources_to_prefer(package, pure=False) == {}
    der.with_suffix(".pxd").write_text("cpdef int f(int x)\n")
    with pytest.warns(UserWarning, match="der.py changed after it was compiled"):
        assert sources_to_prefer(package, pure=False) == {"audit.engine.der": der}


def test_nothing_compiled_nothing_preferred(tmp_path: Path) -> None:
    (tmp_path / "runner.py").write_text("x = 1\n")
    assert sources_to_prefer(tmp_path, pure=True) == {}


def test_extensions_read_before_are_taken_as_read() -> None:
    """The strict decoder reads only the extensions it has not read before (in a copy of the
    certificate that holds just those): were the copy to fail, every certificate would quietly
    fall back to a full read, with the same findings but at the old cost."""
    from audit.engine import certview

    certview._EXTENSIONS.clear()
    views = [certview.CertView(d) for d in _golden_certificates()[:50]]
    for view in views:
        assert view.extension_list is not None
    assert len(certview._EXTENSIONS) >= 3  # the template's AIA, key usage, policies...
    again = certview.CertView(_golden_certificates()[0])
    reused = [e for e in again.extension_list if e in certview._EXTENSIONS.values()]
    assert reused and all(e.oid not in certview.oids.PER_SUBSCRIBER_EXTENSIONS for e in reused)


def test_the_fast_readings_are_taken() -> None:
    """SCTs from the accepted list's octets and RSA numbers from the SPKI's DER: each has a
    slower fallback with the same answer, which a fault would otherwise hide."""
    from audit.engine import certview

    views = [certview.CertView(d) for d in _golden_certificates()]
    with_scts = [v for v in views if v.encoded_extension(certview.oids.CT_SCT_LIST)]
    rsa = [v for v in views if v.public_key_algorithm == certview.oids.RSA_ENCRYPTION]
    assert with_scts and rsa
    assert any(v._sct_fields_from_octets for v in with_scts)
    assert any(certview._rsa_numbers(v._tbs_field(certview._SPKI_FIELD)) for v in rsa)

"""The compiled engine (setup.py) and its Python source give the same findings, and an edited
source is not shadowed by what was compiled before the edit (audit/engine/__init__.py)."""

from __future__ import annotations

import hashlib
import importlib.machinery
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from audit.engine import sources_to_prefer
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


def _compiled(tmp_path: Path, name: str, source: bytes, compiled_from: bytes) -> None:
    (tmp_path / f"{name}.py").write_bytes(source)
    (tmp_path / f"{name}{importlib.machinery.EXTENSION_SUFFIXES[0]}").write_bytes(b"")
    digests = {name: hashlib.sha256(compiled_from).hexdigest()}
    (tmp_path / "compiled_sources.json").write_text(json.dumps(digests))


def test_an_edited_source_is_imported_instead_of_its_compiled_module(tmp_path: Path) -> None:
    _compiled(tmp_path, "runner", b"x = 2\n", compiled_from=b"x = 1\n")
    with pytest.warns(UserWarning, match="runner.py changed after it was compiled"):
        preferred = sources_to_prefer(tmp_path, pure=False)
    assert preferred == {"audit.engine.runner": tmp_path / "runner.py"}


def test_an_unchanged_source_leaves_its_compiled_module_in_use(tmp_path: Path) -> None:
    _compiled(tmp_path, "runner", b"x = 1\n", compiled_from=b"x = 1\n")
    assert sources_to_prefer(tmp_path, pure=False) == {}
    assert sources_to_prefer(tmp_path, pure=True) == {"audit.engine.runner": tmp_path / "runner.py"}


def test_an_edited_pxd_counts_as_an_edited_source(tmp_path: Path) -> None:
    """der.py's C types live in der.pxd: compiled before the .pxd changed is out of date too."""
    _compiled(tmp_path, "der", b"x = 1\n", compiled_from=b"x = 1\n")
    assert sources_to_prefer(tmp_path, pure=False) == {}
    (tmp_path / "der.pxd").write_text("cpdef int f(int x)\n")
    with pytest.warns(UserWarning, match="der.py changed after it was compiled"):
        assert sources_to_prefer(tmp_path, pure=False) == {"audit.engine.der": tmp_path / "der.py"}


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

"""The catalogue as a whole: metadata every lint must carry, selection, version and digest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audit.engine.registry import Catalogue, Source
from audit.errors import InputError
from tests.zlint_conformance import CORPUS as ZLINT_CORPUS


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load()


def test_every_lint_is_declared_with_its_metadata(catalogue: Catalogue) -> None:
    assert len(catalogue) >= 300
    for x in catalogue:
        assert x.description and x.citation, x.name
        # Population lints read the whole population, never one certificate's profile.
        assert bool(x.applies_to) != (x.population_check is not None), x.name
        assert x.ineffective is None or x.ineffective > x.effective, x.name
        assert x.name.islower() and " " not in x.name


def test_zlint_cross_references_are_real_zlint_lints(catalogue: Catalogue) -> None:
    zlint = json.loads((ZLINT_CORPUS / "lints.json").read_text())
    known = {x["name"] for x in zlint["lints"]}
    for x in catalogue:
        assert set(x.zlint) <= known, (x.name, set(x.zlint) - known)


def test_selection_by_name_source_and_change(catalogue: Catalogue, tmp_path: Path) -> None:
    assert catalogue.select("all") is catalogue
    assert catalogue.select("signature_sha1_prohibited").names == ("signature_sha1_prohibited",)
    ev = catalogue.select("cabf_ev")
    assert ev.names and {x.source for x in ev} == {Source.CABF_EV}
    assert catalogue.select("source:cabf_ev").names == ev.names
    # A previous catalogue where one lint had another version and one lint did not exist yet.
    recorded = [x.metadata() for x in catalogue]
    recorded[0]["version"] = recorded[0]["version"] + 1
    missing = recorded.pop()
    (tmp_path / "catalogue.json").write_text(json.dumps(recorded))
    changed = catalogue.select(f"changed-since:{tmp_path / 'catalogue.json'}")
    assert set(changed.names) == {recorded[0]["name"], missing["name"]}
    # A directory is read only when it is a complete run: a partial one may not have run what
    # its catalogue lists.
    with pytest.raises(InputError, match="incomplete run"):
        catalogue.select(f"changed-since:{tmp_path}")
    (tmp_path / "run.json").write_text("{}")
    assert catalogue.select(f"changed-since:{tmp_path}").names == changed.names
    with pytest.raises(ValueError, match="neither"):
        catalogue.select("no_such_lint")


def test_digest_changes_when_the_lint_set_changes(catalogue: Catalogue) -> None:
    smaller = catalogue.select(",".join(catalogue.names[1:]))
    assert smaller.digest != catalogue.digest
    assert Catalogue.load().digest == catalogue.digest

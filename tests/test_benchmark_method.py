"""The lint-speed benchmark's method (not its figures: those are printed, by hand)."""

from __future__ import annotations

from audit.jobs.benchmark_lint_speed import _SLICE, rate


def test_each_pass_lints_every_certificate_once_with_a_new_linter() -> None:
    ders = [bytes([i]) for i in range(_SLICE * 2 + 7)]
    linters: list[list[bytes]] = []

    def new_linter():  # noqa: ANN202 - a linter that records what it is given
        seen: list[bytes] = []
        linters.append(seen)

        def lint(ders: list[bytes]) -> list[object]:
            assert len(ders) <= _SLICE
            seen.extend(ders)
            sum(range(20000))  # some CPU time to measure
            return [None] * len(ders)

        return lint

    result = rate(new_linter, ders, repeat=3)
    assert len(linters) == 3 and all(seen == ders for seen in linters)
    # the fastest slices added up cannot be slower than the fastest whole pass
    assert result.least_disturbed >= result.best_pass > 0

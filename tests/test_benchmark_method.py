"""The lint-speed benchmark's method (not its figures: those are printed, by hand)."""

from __future__ import annotations

from collections.abc import Callable

from audit.jobs.benchmark_lint_speed import _SLICE, rates


def _recording(made: list[list[bytes]], work: int) -> Callable[[], Callable[[list[bytes]], list]]:
    """A linter factory whose linters record what they are given."""

    def new_linter() -> Callable[[list[bytes]], list]:
        seen: list[bytes] = []
        made.append(seen)

        def lint(ders: list[bytes]) -> list[object]:
            assert len(ders) <= _SLICE
            seen.extend(ders)
            sum(range(work))  # some CPU time to measure
            return [None] * len(ders)

        return lint

    return new_linter


def test_each_pass_lints_every_certificate_once_with_a_new_linter_each() -> None:
    ders = [bytes([i]) for i in range(_SLICE * 2 + 7)]
    fast: list[list[bytes]] = []
    slow: list[list[bytes]] = []
    found = rates({"fast": _recording(fast, 2_000), "slow": _recording(slow, 200_000)}, ders, 3)
    for made in (fast, slow):
        assert len(made) == 3 and all(seen == ders for seen in made)
    for rate in found.values():
        # the fastest slices added up cannot be slower than the fastest whole pass
        assert rate.least_disturbed >= rate.best_pass > 0
    assert found["fast"].best_pass > found["slow"].best_pass

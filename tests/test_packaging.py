"""The package list in pyproject.toml names every package folder (a regular install needs it)."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    folder_of = {pkg: Path(folder) for pkg, folder in config["package-dir"].items()}
    found = set()
    for pkg, folder in folder_of.items():
        for init in (REPO / folder).rglob("__init__.py"):
            parts = init.parent.relative_to(REPO / folder).parts
            if "__pycache__" not in parts and not any(p.startswith(".") for p in parts):
                found.add(".".join((pkg, *parts)))
    assert found == set(config["packages"])


def test_ci_runs_exactly_the_readme_test_block() -> None:
    readme = (REPO / "README.md").read_text()
    block = readme.split("## Run the tests", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.strip() for line in block.strip().splitlines()]
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    tail = [line.strip() for line in ci if line.strip() and not line.startswith("#")][
        -len(commands) :
    ]
    assert tail == commands

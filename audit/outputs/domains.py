"""The registrable domain of a DNS name (its public suffix and one label more), fast enough to
ask of every name of every certificate as it is written.

The rules are the public suffix list that the `publicsuffixlist` package keeps, private
suffixes included (two customers' sites under one hosting platform are two registrable
domains), read once into a tree of labels from the right: a name costs a few dictionary look-ups
where the package's own `privatesuffix` joins and looks up every suffix of it. Both give the same
answer (tests/population/test_key_lints.py compares them); if the package ever keeps its rules
otherwise, its own method answers instead.
"""

from __future__ import annotations

from functools import lru_cache

from publicsuffixlist import PublicSuffixList

_PSL = PublicSuffixList()


class _Node:
    __slots__ = ("children", "exceptions", "rule", "wildcard")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.rule = False  # this suffix is a rule
        self.wildcard = False  # `*.` this suffix is a rule: every label under it is public
        self.exceptions: set[str] = set()  # `!label.` this suffix: not public, despite `*`


def _tree(rules: frozenset[str]) -> _Node:
    root = _Node()
    for rule in rules:
        exception = rule.startswith("!")
        labels = rule.lstrip("!").split(".")
        first, rest = labels[0], labels[1:]
        node = root
        for label in reversed(rest if exception or first == "*" else labels):
            node = node.children.setdefault(label, _Node())
        if exception:
            node.exceptions.add(first)
        elif first == "*":
            node.wildcard = True
        else:
            node.rule = True
    return root


_RULES = getattr(_PSL, "_publicsuffix", None)
_ROOT = _tree(_RULES) if isinstance(_RULES, frozenset) else None


def _public_labels(labels: list[str]) -> int:
    """How many labels from the right are the public suffix (an unknown TLD is one)."""
    assert _ROOT is not None
    node, public = _ROOT, 1
    for depth, label in enumerate(reversed(labels)):
        if node.wildcard:
            if label in node.exceptions:
                return max(public, depth)
            public = max(public, depth + 1)
        child = node.children.get(label)
        if child is None:
            break
        node = child
        if node.rule or node.wildcard:  # a wildcard's parent is public too, as the list means
            public = max(public, depth + 1)
    return public


@lru_cache(maxsize=1 << 16)
def registrable_domain(name: str) -> str | None:
    """The registrable domain of a DNS name or wildcard name, lower-cased; None for a name
    that is itself a public suffix, or not a name at all."""
    text = name.strip().rstrip(".").lower()
    if text.startswith("*."):
        text = text[2:]
    labels = text.split(".")
    if not text or "" in labels:
        return None
    if _ROOT is None:
        return _PSL.privatesuffix(text)
    public = _public_labels(labels)
    return ".".join(labels[-public - 1 :]) if len(labels) > public else None


def registrable_domains(names: object) -> list[str]:
    """The distinct registrable domains of `names`, in order of first appearance."""
    found: dict[str, None] = {}
    for name in names if isinstance(names, list | tuple) else ():
        if isinstance(name, str) and (domain := registrable_domain(name)):
            found[domain] = None
    return list(found)


def library_registrable_domain(name: str) -> str | None:
    """The same, as the package computes it (for the comparison in the tests)."""
    text = name.strip().rstrip(".").lower()
    text = text[2:] if text.startswith("*.") else text
    return _PSL.privatesuffix(text) if text and "" not in text.split(".") else None

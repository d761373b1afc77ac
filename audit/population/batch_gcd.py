"""Batch GCD over every RSA modulus of a population, in memory that does not grow with it.

For each modulus n, gcd(n, P / n) where P is the product of all of them (and of any extra
numbers given, such as products of primes known to be weak): a result other than 1 is a prime
n shares with another modulus, so both are factored (Heninger et al., "Mining your Ps and Qs",
2012, after Bernstein's product and remainder trees).

The textbook method holds the whole product tree (for a million 2048-bit moduli, 256 MiB per
level over 20 levels) and divides numbers as large as P. Here no process ever holds a number
larger than `Layout.node_bits`:

    moduli  -> groups of about `group_bits` (files written as the moduli are read)
    groups  -> product of each group                              [one task per group]
            -> products of pairs, level by level, while a product stays within `node_bits`
               (each node a file)                                  [one task per node]
    top     -> for each top node t: prod_{j != t} (P_j mod P_t) mod P_t
               (one node at the top: nothing outside it, 1)        [one task per top node]
            -> down the levels: Q_child = (Q_parent mod P_child) * (P_sibling mod P_child)
               mod P_child, so Q of a node is (P / its product) mod its product
                                                                   [one task per node]
    groups  -> the same descent inside the group's own tree, in memory, to each modulus:
               gcd(n, Q_n)                                         [one task per group]

Remainders are taken modulo a node's product, never its square, since (P / a) mod a follows
from (P / v) mod v for a's parent v: P / a = (P / v) * sibling. GMP's division of a number
twice the divisor's size takes some ten times the divisor's size in scratch space, which is
what `node_bits` bounds: with 16 MiB nodes a worker peaked at 550 MiB over a million 2048-bit
moduli (jobs/benchmark_batch_gcd.py), the dask worker itself included.

The top is done pair by pair (k^2 modular products for k top nodes) rather than as a tree,
since the tree's upper nodes would be larger than `node_bits`: with a million 2048-bit moduli
that is 16 top nodes. Every step is a task given to `map_` (the run's dask cluster, or a plain
loop): the tasks of one level run side by side, their numbers passed as files in `workdir`
(about nine times the moduli's size on disk: some 2.3 GB for a million of 2048 bits).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gmpy2
from gmpy2 import mpz

GROUP_BITS = 1 << 24  # a leaf group's product: 2 MiB, some 8,000 moduli of 2048 bits
NODE_BITS = 1 << 27  # the largest product any task holds: 16 MiB

Mapper = Callable[[Callable[[Any], Any], list[Any]], list[Any]]


def local_map(function: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """Every task in this process, one after another."""
    return [function(item) for item in items]


@dataclass(frozen=True)
class Layout:
    group_bits: int = GROUP_BITS
    node_bits: int = NODE_BITS


@dataclass(frozen=True, slots=True)
class Hit:
    index: int  # the modulus' place in the input
    modulus: int
    gcd: int  # gcd(modulus, product of every other input and extra number): not 1


def shared_factors(
    moduli: Iterable[int],
    workdir: Path,
    *,
    extra: Sequence[int] = (),
    map_: Mapper = local_map,
    layout: Layout = Layout(),
) -> Iterator[Hit]:
    """The moduli (distinct, each at least 2) that share a factor with another one or with
    an `extra` number, in input order, as they are read back. `workdir`: an empty directory
    for the tasks' files, which must stay until the last hit is read."""
    groups, count = _write_groups(moduli, extra, workdir, layout.group_bits)
    if count == 0:
        return
    levels = [map_(_group_product, [(g.path, _name(workdir, 0, i)) for i, g in enumerate(groups)])]
    while len(levels[-1]) > 1:
        below = levels[-1]
        pairs = [(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
        if max(a.bits + b.bits for a, b in pairs) > layout.node_bits:
            break
        depth = len(levels)
        made = map_(
            _multiply,
            [(a.path, b.path, _name(workdir, depth, i)) for i, (a, b) in enumerate(pairs)],
        )
        levels.append(made + ([below[-1]] if len(below) % 2 else []))  # a lone node goes up
    top = levels[-1]
    remainders = [_name(workdir, len(levels) - 1, i, "q") for i in range(len(top))]
    if len(top) == 1:
        _store(mpz(1), remainders[0])
    else:
        paths = [node.path for node in top]
        map_(_top_remainder, [(i, paths, remainders[i]) for i in range(len(top))])
    for depth in range(len(levels) - 1, 0, -1):
        below, parents = levels[depth - 1], remainders
        remainders = [_name(workdir, depth - 1, i, "q") for i in range(len(below))]
        map_(
            _child_remainder,
            [
                (parents[i // 2], below[i].path,
                 below[i ^ 1].path if (i ^ 1) < len(below) else None, remainders[i])
                for i in range(len(below))
            ],
        )  # fmt: skip
    found = map_(_group_gcds, [(g.path, g.first, remainders[i]) for i, g in enumerate(groups)])
    # The tasks return (index, gcd) only: the moduli are read back here, a group at a time, so
    # that many hits (a broken key generator) cost the driver little beyond what is kept.
    for group, hits in zip(groups, found, strict=True):
        if hits:
            moduli_of_group = _read_group(group.path)
            for index, gcd in hits:
                if index < count:
                    yield Hit(index, int(moduli_of_group[index - group.first]), gcd)


# -- files -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    path: Path
    first: int  # the index of its first modulus
    size: int


@dataclass(frozen=True)
class Node:
    path: Path
    bits: int


def _name(workdir: Path, depth: int, index: int, kind: str = "p") -> Path:
    return workdir / f"{kind}-{depth:02d}-{index:07d}.bin"


def _store(value: mpz, path: Path) -> None:
    path.write_bytes(gmpy2.to_binary(value))


def _load(path: Path) -> mpz:
    return gmpy2.from_binary(path.read_bytes())


_LENGTH = struct.Struct(">I")


def _write_groups(
    moduli: Iterable[int], extra: Sequence[int], workdir: Path, group_bits: int
) -> tuple[list[Group], int]:
    """The moduli, then the extra numbers, in files of about `group_bits` of product each
    (length-prefixed big-endian octets); returns the groups and how many moduli there were."""
    groups: list[Group] = []
    pending: list[bytes] = []
    bits, index, first, count = 0, 0, 0, -1

    def close() -> None:
        nonlocal pending, bits, first
        if pending:
            path = workdir / f"group-{len(groups):07d}.moduli"
            path.write_bytes(b"".join(_LENGTH.pack(len(b)) + b for b in pending))
            groups.append(Group(path, first, len(pending)))
        pending, bits, first = [], 0, index

    for number in _numbered(moduli, extra):
        if number is None:  # the moduli end here and the extra numbers begin
            count = index
            continue
        pending.append(number.to_bytes((number.bit_length() + 7) // 8, "big"))
        bits += number.bit_length()
        index += 1
        if bits >= group_bits:
            close()
    close()
    return groups, index if count < 0 else count


def _numbered(moduli: Iterable[int], extra: Sequence[int]) -> Iterator[int | None]:
    for n in moduli:
        if n < 2:
            raise ValueError("a modulus below 2 has no factor to share")
        yield n
    yield None
    yield from extra


def _read_group(path: Path) -> list[mpz]:
    data = path.read_bytes()
    out, at = [], 0
    while at < len(data):
        (size,) = _LENGTH.unpack_from(data, at)
        at += _LENGTH.size
        out.append(mpz(int.from_bytes(data[at : at + size], "big")))
        at += size
    return out


# -- tasks (module-level functions: a dask worker imports them by name) -------------------------


def _product_tree(leaves: list[mpz]) -> list[list[mpz]]:
    levels = [leaves]
    while len(levels[-1]) > 1:
        below = levels[-1]
        above = [below[i] * below[i + 1] for i in range(0, len(below) - 1, 2)]
        if len(below) % 2:
            above.append(below[-1])
        levels.append(above)
    return levels


def _group_product(args: tuple[Path, Path]) -> Node:
    group, out = args
    product = _product_tree(_read_group(group))[-1][0]
    _store(product, out)
    return Node(out, int(product.bit_length()))


def _multiply(args: tuple[Path, Path, Path]) -> Node:
    a, b, out = args
    product = _load(a) * _load(b)
    _store(product, out)
    return Node(out, int(product.bit_length()))


def _top_remainder(args: tuple[int, list[Path], Path]) -> None:
    """Q_t = (product of every other top node) mod P_t, one modular product at a time."""
    t, paths, out = args
    node = _load(paths[t])
    q = mpz(1) % node
    for j, path in enumerate(paths):
        if j != t:
            q = q * (_load(path) % node) % node
    _store(q, out)


def _child_remainder(args: tuple[Path, Path, Path | None, Path]) -> None:
    parent_q, child, sibling, out = args
    node = _load(child)
    q = _load(parent_q) % node
    if sibling is not None:
        q = q * (_load(sibling) % node) % node
    _store(q, out)


def _group_gcds(args: tuple[Path, int, Path]) -> list[tuple[int, int]]:
    """The group's moduli whose gcd with everything else is not 1, given Q of the group: the
    same descent as above, inside the group's own tree (which fits in memory)."""
    group, first, q_path = args
    tree = _product_tree(_read_group(group))
    remainders = [_load(q_path) % tree[-1][0]]
    for level in reversed(tree[:-1]):
        remainders = [
            (remainders[i // 2] % node) * (level[i ^ 1] % node) % node
            if (i ^ 1) < len(level)
            else remainders[i // 2] % node
            for i, node in enumerate(level)
        ]
    hits = []
    for i, (n, q) in enumerate(zip(tree[0], remainders, strict=True)):
        g = gmpy2.gcd(n, q)
        if g != 1:
            hits.append((first + i, int(g)))
    return hits

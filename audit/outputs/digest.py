"""The population digest: a Merkle tree (RFC 6962 hashing) over the sorted SHA-256
fingerprints of the audited certificates. Its root commits to exactly which certificates
were audited; an auditor can check a certificate's inclusion without trusting our counts.

The fingerprints are sorted with bounded memory (spilled to temporary files in ranges of
their first bytes, see `audit.outputs.buckets`) and the root is computed as they stream by,
holding one hash per level: a million certificates cost a few megabytes, not a Python object
each."""

from __future__ import annotations

import binascii
import bisect
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from audit.outputs.buckets import BUCKET_ROWS, bucketed
from audit.outputs.scan import batches

ALGORITHM = "merkle-sha256-rfc6962"
HASH_SIZE = 32
_FINGERPRINT = pa.schema([pa.field("fp", pa.binary(HASH_SIZE), nullable=False)])


def leaf_hash(fingerprint: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + fingerprint).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(fingerprints: Iterable[bytes]) -> bytes:
    """RFC 6962 2.1 Merkle Tree Hash; the empty tree hashes to SHA-256 of nothing."""
    tree = _Root()
    for fingerprint in fingerprints:
        tree.add(leaf_hash(fingerprint))
    return tree.root()


class _Root:
    """The Merkle Tree Hash of leaves added in order, streamed: the stack holds the roots of
    the complete subtrees so far (falling powers of two in size, as the bits of the count),
    one hash per level, and their heights. Folding them from the right at the end splits at
    the largest power of two, as RFC 6962 does."""

    def __init__(self) -> None:
        self.size = 0
        self.stack: list[bytes] = []
        self.heights: list[int] = []  # stack[i] is the root of 2**heights[i] leaves

    def add(self, leaf: bytes) -> None:
        """Add a leaf's hash (`leaf_hash` of its fingerprint)."""
        self.add_subtree(leaf, 0)

    def add_subtree(self, node: bytes, height: int) -> None:
        """Add the root of a complete subtree of 2**height leaves that starts where the tree
        ends now (so the size must be a multiple of 2**height): the same tree as adding its
        leaves one by one."""
        width = 1 << height
        if self.size % width:
            raise ValueError(f"a subtree of {width} leaves cannot start at leaf {self.size}")
        self.size += width
        while self.heights and self.heights[-1] == height:  # it completes a larger subtree
            node = node_hash(self.stack.pop(), node)
            self.heights.pop()
            height += 1
        self.stack.append(node)
        self.heights.append(height)

    def root(self) -> bytes:
        if not self.stack:
            return hashlib.sha256(b"").digest()
        root = self.stack[-1]
        for left in reversed(self.stack[:-1]):
            root = node_hash(left, root)
        return root


def subtree_pieces(run: bytes | memoryview, offset: int) -> list[tuple[int, bytes]]:
    """The pieces of sorted fingerprints (`run`: 32 bytes each, concatenated) that are leaves
    [offset, offset + n) of a larger tree: the maximal aligned complete subtrees covering that
    interval, in order, as (height, root). Added in order with `_Root.add_subtree` after the
    leaves before `offset` (or the pieces of those leaves), they build the same tree as the
    leaves themselves."""
    leaves = _leaf_hashes(run)
    pieces = []
    start, end = offset, offset + len(leaves)
    while start < end:
        # The largest block starting at `start` that is aligned there and fits before `end`.
        height = (start & -start).bit_length() - 1 if start else (end - start).bit_length()
        while 1 << height > end - start:
            height -= 1
        first = start - offset
        pieces.append((height, _complete_root(leaves[first : first + (1 << height)])))
        start += 1 << height
    return pieces


def _leaf_hashes(run: bytes | memoryview) -> list[bytes]:
    """`leaf_hash` of each 32-byte fingerprint in `run`, in one loop with the calls bound to
    locals (a hasher primed with the leaf prefix, copied: no concatenation per leaf)."""
    view = memoryview(run)
    primed = hashlib.sha256(b"\x00")
    copy = primed.copy
    hashes = []
    append = hashes.append
    for i in range(0, len(run) - len(run) % HASH_SIZE, HASH_SIZE):
        h = copy()
        h.update(view[i : i + HASH_SIZE])
        append(h.digest())
    return hashes


def _complete_root(level: list[bytes]) -> bytes:
    """The root over a power-of-two number of node hashes, level by level (`node_hash`)."""
    sha256, prefix = hashlib.sha256, b"\x01"
    while len(level) > 1:
        pairs = zip(level[0::2], level[1::2], strict=True)
        level = [sha256(prefix + left + right).digest() for left, right in pairs]
    return level[0]


class Fingerprints(Sequence[bytes]):
    """Sorted 32-byte fingerprints held as one `bytes` (32 bytes each, not an object each)."""

    def __init__(self, data: bytes) -> None:
        if len(data) % HASH_SIZE:
            raise ValueError("fingerprints are 32 bytes each")
        self.data = data

    def __len__(self) -> int:
        return len(self.data) // HASH_SIZE

    @overload
    def __getitem__(self, index: int) -> bytes: ...
    @overload
    def __getitem__(self, index: slice) -> list[bytes]: ...
    def __getitem__(self, index: int | slice) -> bytes | list[bytes]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("fingerprint index out of range")
        return self.data[index * HASH_SIZE : (index + 1) * HASH_SIZE]

    def __iter__(self) -> Iterator[bytes]:
        data = self.data
        return (data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE))


def _sorted_runs(certificates_dir: Path) -> Iterator[bytes]:
    """The fingerprints in sorted order, as runs of concatenated 32-byte values.

    Raises `_NotCanonical` (before yielding anything) when a stored fingerprint is not 64
    lowercase hex digits, which the job never writes."""
    dataset = ds.dataset(certificates_dir, format="parquet")

    def source() -> Iterator[pa.Table]:
        for batch in batches(dataset, ["sha256"], batch_size=BUCKET_ROWS):
            yield pa.table([_decode(pc.drop_null(batch.column(0)))], schema=_FINGERPRINT)

    for (bucket,) in bucketed([(source, _FINGERPRINT)], ["fp"], prefix=2):
        column = bucket["fp"].combine_chunks()
        ordered = column.take(pc.sort_indices(column))  # byte order: lowercase hex order too
        yield (
            ordered.buffers()[1]
            .slice(ordered.offset * HASH_SIZE, len(ordered) * HASH_SIZE)
            .to_pybytes()
        )


class _NotCanonical(ValueError):
    pass


def _decode(hexes: pa.Array) -> pa.Array:
    """64-hex-digit strings to 32-byte values in one step (no Python object per value)."""
    n = len(hexes)
    if n == 0:
        return pa.array([], pa.binary(HASH_SIZE))
    lengths = pc.min_max(pc.binary_length(hexes))
    if (lengths["min"].as_py(), lengths["max"].as_py()) != (2 * HASH_SIZE, 2 * HASH_SIZE):
        raise _NotCanonical
    offsets = hexes.buffers()[1]  # int32 offsets into the character data
    first = int.from_bytes(offsets.slice(hexes.offset * 4, 4).to_pybytes(), "little", signed=True)
    text = hexes.buffers()[2].slice(first, n * 2 * HASH_SIZE).to_pybytes()
    if text.translate(None, b"0123456789abcdef"):  # anything left is not lowercase hex
        raise _NotCanonical
    raw = binascii.unhexlify(text)
    return pa.Array.from_buffers(pa.binary(HASH_SIZE), n, [None, pa.py_buffer(raw)])


def _sorted_as_written(certificates_dir: Path) -> list[bytes]:
    """Any other fingerprints: sorted as text and decoded one by one (held in memory)."""
    column = (
        ds.dataset(certificates_dir, format="parquet").to_table(columns=["sha256"]).column("sha256")
    )
    values = pc.drop_null(column).combine_chunks()
    return [bytes.fromhex(h) for h in pc.take(values, pc.array_sort_indices(values)).to_pylist()]


def sorted_fingerprints(certificates_dir: Path) -> Sequence[bytes]:
    """The audited certificates' SHA-256 fingerprints (rows without a certificate have none)."""
    try:
        return Fingerprints(b"".join(_sorted_runs(certificates_dir)))
    except _NotCanonical:
        return _sorted_as_written(certificates_dir)


def population_digest(certificates_dir: Path) -> dict[str, object]:
    tree = _Root()
    try:
        for run in _sorted_runs(certificates_dir):
            for i in range(0, len(run), HASH_SIZE):
                tree.add(hashlib.sha256(b"\x00" + run[i : i + HASH_SIZE]).digest())
    except _NotCanonical:  # raised before the first run: nothing was added
        for fingerprint in _sorted_as_written(certificates_dir):
            tree.add(leaf_hash(fingerprint))
    return {"algorithm": ALGORITHM, "root": tree.root().hex(), "leaves": tree.size}


# -- inclusion proofs (RFC 6962 2.1.1 audit paths) ---------------------------------------------


class MerkleTree:
    """The population tree, built once so that many proofs cost a walk up each.

    Every level is one `bytes` of concatenated 32-byte hashes (64 bytes per leaf in all, not
    a Python object per node), built bottom-up with the odd last node carried up unchanged:
    the same tree as RFC 6962's split at the largest power of two (see `merkle_root`).
    """

    def __init__(self, fingerprints: Sequence[bytes]) -> None:
        self.leaves = fingerprints  # sorted SHA-256 fingerprints of the certificates
        self.levels: list[bytes] = []
        built = bytearray()
        for f in fingerprints:
            built += leaf_hash(f)
        level = bytes(built)
        while len(level) > HASH_SIZE:
            self.levels.append(level)
            n = len(level) // HASH_SIZE
            built = bytearray()
            for i in range(0, (n - 1) * HASH_SIZE, 2 * HASH_SIZE):
                built += node_hash(
                    level[i : i + HASH_SIZE], level[i + HASH_SIZE : i + 2 * HASH_SIZE]
                )
            if n % 2:
                built += level[-HASH_SIZE:]
            level = bytes(built)
        self.levels.append(level)

    @property
    def size(self) -> int:
        return len(self.leaves)

    @property
    def root(self) -> bytes:
        return self.levels[-1] if self.leaves else hashlib.sha256(b"").digest()

    def index_of(self, fingerprint: bytes) -> int | None:
        """Where the fingerprint sits among the sorted leaves, or None when it is not one."""
        i = bisect.bisect_left(self.leaves, fingerprint)
        return i if i < self.size and self.leaves[i] == fingerprint else None

    def audit_path(self, index: int) -> list[bytes]:
        """RFC 6962 2.1.1 PATH(m, D[n]): the sibling hashes from the leaf up to the root."""
        if not 0 <= index < self.size:
            raise IndexError(f"leaf {index} is outside a tree of {self.size}")
        path: list[bytes] = []
        for level in self.levels[:-1]:
            n = len(level) // HASH_SIZE
            sibling = index ^ 1
            if sibling < n:  # the last node of an odd level has none: it is carried up as it is
                path.append(level[sibling * HASH_SIZE : (sibling + 1) * HASH_SIZE])
            index //= 2
        return path

    def prove(self, fingerprint: bytes) -> InclusionProof | AbsenceProof:
        """The inclusion proof of a fingerprint, or the proof of its absence: the inclusion
        proofs of its two neighbours in sorted order, which are adjacent leaves."""
        index = self.index_of(fingerprint)
        if index is not None:
            return self._inclusion(index)
        i = bisect.bisect_left(self.leaves, fingerprint)
        return AbsenceProof(
            sha256=fingerprint.hex(),
            tree_size=self.size,
            root=self.root.hex(),
            before=self._inclusion(i - 1) if i > 0 else None,
            after=self._inclusion(i) if i < self.size else None,
        )

    def _inclusion(self, index: int) -> InclusionProof:
        return InclusionProof(
            sha256=self.leaves[index].hex(),
            leaf_index=index,
            tree_size=self.size,
            root=self.root.hex(),
            audit_path=tuple(h.hex() for h in self.audit_path(index)),
        )


def root_from_audit_path(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes | None:
    """The root an audit path leads to from a leaf's fingerprint (RFC 9162 2.1.3.2, which
    verifies RFC 6962 paths); None when the path cannot belong to a tree of that size."""
    if not 0 <= index < size:
        return None
    fn, sn = index, size - 1
    r = leaf_hash(leaf)
    for p in path:
        if sn == 0:
            return None  # more hashes than the tree is high
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:  # this node was carried up: skip the levels it skipped
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def _hex(value: object, what: str, length: int | None = HASH_SIZE) -> bytes:
    if not isinstance(value, str):
        raise ValueError(f"{what} should be a hex string")
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise ValueError(f"{what} is not hex: {value[:80]!r}") from None
    if length is not None and len(raw) != length:
        raise ValueError(f"{what} should be {length} bytes, not {len(raw)}")
    return raw


def _int(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{what} should be a non-negative integer")
    return value


@dataclass(frozen=True)
class InclusionProof:
    """That the certificate with this SHA-256 is leaf `leaf_index` of the tree with `root`."""

    sha256: str
    leaf_index: int
    tree_size: int
    root: str
    audit_path: tuple[str, ...]

    def check(self) -> str | None:
        """None when the proof holds; otherwise what is wrong with it."""
        try:
            leaf = _hex(self.sha256, "sha256")
            root = _hex(self.root, "root")
            path = [_hex(h, f"audit_path[{i}]") for i, h in enumerate(self.audit_path)]
        except ValueError as exc:
            return str(exc)
        got = root_from_audit_path(leaf, self.leaf_index, self.tree_size, path)
        if got is None:
            return (
                f"the audit path does not fit leaf {self.leaf_index} of a tree of {self.tree_size}"
            )
        if got != root:
            return f"the audit path leads to root {got.hex()}, not {self.root}"
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "proof": "inclusion",
            "algorithm": ALGORITHM,
            "sha256": self.sha256,
            "leaf_index": self.leaf_index,
            "tree_size": self.tree_size,
            "root": self.root,
            "audit_path": list(self.audit_path),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InclusionProof:
        path = data.get("audit_path")
        if not isinstance(path, list):
            raise ValueError("audit_path should be a list of hex strings")
        return cls(
            sha256=str(data.get("sha256")),
            leaf_index=_int(data.get("leaf_index"), "leaf_index"),
            tree_size=_int(data.get("tree_size"), "tree_size"),
            root=str(data.get("root")),
            audit_path=tuple(str(h) for h in path),
        )


@dataclass(frozen=True)
class AbsenceProof:
    """That no leaf has this SHA-256: the leaves are sorted, and `before` and `after` prove the
    two leaves it would sit between are neighbours (either is None at an end of the tree)."""

    sha256: str
    tree_size: int
    root: str
    before: InclusionProof | None
    after: InclusionProof | None

    def check(self) -> str | None:
        try:
            target = _hex(self.sha256, "sha256")
            _hex(self.root, "root")
        except ValueError as exc:
            return str(exc)
        if self.tree_size == 0:
            empty = hashlib.sha256(b"").hexdigest()
            ok = self.before is None and self.after is None and self.root == empty
            return None if ok else "an empty tree has the root of nothing and no leaves"
        for side, proof, index in (
            ("before", self.before, None if self.after is None else self.after.leaf_index - 1),
            ("after", self.after, None if self.before is None else self.before.leaf_index + 1),
        ):
            if proof is None:
                continue
            if (proof.tree_size, proof.root) != (self.tree_size, self.root):
                return f"the {side} neighbour is proved against another tree"
            if problem := proof.check():
                return f"the {side} neighbour's proof fails: {problem}"
            if index is not None and proof.leaf_index != index:
                return "the two neighbours are not adjacent leaves"
        if self.before is None and (self.after is None or self.after.leaf_index != 0):
            return "without a neighbour before, the one after must be the first leaf"
        if self.after is None and (
            self.before is None or self.before.leaf_index != self.tree_size - 1
        ):
            return "without a neighbour after, the one before must be the last leaf"
        if self.before is not None and not bytes.fromhex(self.before.sha256) < target:
            return "the neighbour before does not sort before the fingerprint"
        if self.after is not None and not target < bytes.fromhex(self.after.sha256):
            return "the neighbour after does not sort after the fingerprint"
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "proof": "absence",
            "algorithm": ALGORITHM,
            "sha256": self.sha256,
            "tree_size": self.tree_size,
            "root": self.root,
            "before": self.before.to_json() if self.before else None,
            "after": self.after.to_json() if self.after else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AbsenceProof:
        def side(value: object) -> InclusionProof | None:
            if value is None:
                return None
            if not isinstance(value, dict):
                raise ValueError("a neighbour should be an inclusion proof object")
            return InclusionProof.from_json(value)

        return cls(
            sha256=str(data.get("sha256")),
            tree_size=_int(data.get("tree_size"), "tree_size"),
            root=str(data.get("root")),
            before=side(data.get("before")),
            after=side(data.get("after")),
        )


def proof_from_json(data: object) -> InclusionProof | AbsenceProof:
    """A proof as `prove` prints it; ValueError when it is not one."""
    if not isinstance(data, dict):
        raise ValueError("a proof is a JSON object")
    if data.get("algorithm") != ALGORITHM:
        raise ValueError(f"unknown proof algorithm {data.get('algorithm')!r}")
    kind = data.get("proof")
    if kind == "inclusion":
        return InclusionProof.from_json(data)
    if kind == "absence":
        return AbsenceProof.from_json(data)
    raise ValueError(f"unknown proof kind {kind!r}")

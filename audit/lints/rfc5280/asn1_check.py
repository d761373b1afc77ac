"""Whether DER octets encode a value of an ASN.1 type, and where they first do not.

The verdict is pyasn1-fasder's, the DER decoder pkilint uses, decoding against pyasn1 schemas
(pyasn1-alt-modules): it refuses what DER forbids (long or indefinite lengths where the short
form fits, non-minimal INTEGERs, an encoded DEFAULT, an unsorted SET OF, trailing zero bits of
a named BIT STRING, trailing octets) and values outside their SIZE and range constraints. What
it decodes is then encoded again (pyasn1's DER encoder) and must give the same octets: that
catches what the decoder reads too kindly (an open type's [0] EXPLICIT tag left out, an OID
subidentifier with a leading 0x80 octet). This module adds what neither looks at:

- open types (ANY DEFINED BY: a policy qualifier, an otherName's value, an attribute value, a
  QC statement's info), decoded again as the type their identifier names
  (asn1_schemas.OPEN_TYPES), when it names one;
- the alphabets of VisibleString and NumericString, and the DER form of GeneralizedTime and
  UTCTime;
- what the decoder cannot read, judged here instead: OBJECT IDENTIFIERs of two arcs, of 2.x
  with x of 48 or more, or with an arc of 32 bits or more (X.690 8.19: each subidentifier in
  its fewest octets); UniversalStrings; an open type's value of a universal type it does not
  know (only its TLV). A value holding one is then checked component by component, without
  the rules that span components (order, DEFAULT; a SEQUENCE OF's SIZE is still counted).

When the octets are refused, the components are decoded one by one, down to the deepest that
is refused on its own, so that the message names where: "certificatePolicies[0].
policyQualifiers: SIZE (1..MAX) violated: empty".
"""

from __future__ import annotations

import re
from typing import Any

from pyasn1.codec.der import encoder as der_encoder
from pyasn1.error import PyAsn1Error, PyAsn1UnicodeError
from pyasn1.type import char, constraint, univ, useful
from pyasn1_fasder import decode_der

from audit.engine.der import children, header
from audit.lints.rfc5280.asn1_schemas import NO_INFO, OPEN_TYPES


def first_violation(data: bytes, spec: Any, path: str) -> str | None:
    """Where and how `data` is not the DER of one value of `spec` ("path: what"), or None.
    `path` names the value (an extension's name)."""
    try:
        value = _decoded(data, spec)
    except _Refused as refused:
        return _locate(data, spec, path, refused)
    return _inside(value, path)


class _Refused(Exception):
    """The decoder's `error`; or, with none, the DER of what it decoded (`canonical`), which the
    octets are not."""

    def __init__(self, error: PyAsn1Error | None, canonical: bytes = b"") -> None:
        super().__init__(error)
        self.error = error
        self.canonical = canonical


def _decoded(data: bytes, spec: Any) -> Any:
    """The value of `spec` that `data` is the DER of (else _Refused)."""
    try:
        value = decode_der(data, spec)[0]
        canonical = der_encoder.encode(value)
    except PyAsn1Error as error:
        raise _Refused(error) from None
    if canonical != data:
        raise _Refused(None, canonical)
    return value


# -- what the decoder leaves: open types, alphabets, times ----------------------------------


def _inside(value: Any, path: str) -> str | None:
    """The first violation in a decoded value at or below `path`."""
    if isinstance(value, univ.Choice):  # (a Choice is a Set to pyasn1: asked first)
        return _inside(value.getComponent(), f"{path}.{value.getName()}")
    if isinstance(value, univ.SequenceOfAndSetOfBase):
        for i, item in enumerate(value):
            found = _inside(item, f"{path}[{i}]")
            if found:
                return found
        return None
    if isinstance(value, univ.SequenceAndSetBase):
        for i, named in enumerate(value.componentType.namedTypes):
            component = value.getComponentByPosition(i, default=None, instantiate=False)
            if component is None or not component.isValue:
                continue
            where = f"{path}.{named.name}"
            if named.openType is not None:
                found = _open_type(value, named, component, where)
            else:
                found = _inside(component, where)
            if found:
                return found
        return None
    return _leaf(value, path)


def _open_type(parent: Any, named: Any, component: Any, where: str) -> str | None:
    """An ANY DEFINED BY component, decoded as the type its identifier names."""
    types = OPEN_TYPES.get((type(parent), named.name))
    if types is None:
        return None
    identifier = parent[named.openType.name]
    spec = types.get(identifier)
    if spec is None:  # an identifier nobody here defines: not checked
        return None
    if spec is NO_INFO:
        return f"{where}: present, but {identifier} is defined without one"
    if isinstance(component, univ.SequenceOfAndSetOfBase):  # an attribute's SET OF values
        for i, item in enumerate(component):
            found = first_violation(item.asOctets(), spec, f"{where}[{i}]")
            if found:
                return found
        return None
    return first_violation(component.asOctets(), spec, where)


_GENERALIZED_TIME = re.compile(rb"\d{14}(\.\d*[1-9])?Z")  # X.690 11.7
_UTC_TIME = re.compile(rb"\d{12}Z")  # X.690 11.8
_VISIBLE = frozenset(range(0x20, 0x7F))
_NUMERIC = frozenset(b"0123456789 ")


def _leaf(value: Any, path: str) -> str | None:
    if isinstance(value, (useful.GeneralizedTime, useful.UTCTime)):  # VisibleStrings, to pyasn1
        form = _GENERALIZED_TIME if isinstance(value, useful.GeneralizedTime) else _UTC_TIME
        text = value.asOctets()
        if form.fullmatch(text) is None:
            kind = "GeneralizedTime" if form is _GENERALIZED_TIME else "UTCTime"
            return f"{path}: {text[:40]!r} is not a {kind} in DER form"
        return None
    if isinstance(value, char.VisibleString) and not _VISIBLE.issuperset(value.asOctets()):
        return f"{path}: a character outside VisibleString's alphabet"
    if isinstance(value, char.NumericString) and not _NUMERIC.issuperset(value.asOctets()):
        return f"{path}: a character outside NumericString's alphabet"
    return None


# -- where the decoder's refusal lies --------------------------------------------------------


class _Unexpected(Exception):
    """A component whose tag its type does not allow there."""


def _locate(data: bytes, spec: Any, path: str, refused: _Refused) -> str | None:
    """The deepest component of `data` (refused as `spec`) refused on its own, and why; None
    when the refusal was the decoder's own limit (an OID or UniversalString it cannot read)."""
    try:
        tag = _tag_of(data, 0)
    except IndexError:
        return f"{path}: no octets, where {_expected(spec)} is expected"
    if not _allows(spec, tag):
        if isinstance(spec, univ.Choice) and not spec.tagSet.superTags:
            return f"{path}: {_tag_name(tag)} is none of {type(spec).__name__}'s alternatives"
        return f"{path}: {_tag_name(tag)} found, {_expected(spec)} expected"
    try:
        end = header(data, 0)[1]
    except (ValueError, IndexError):
        end = len(data)  # the decoder's refusal says what is wrong with the header
    if end < len(data):
        return f"{path}: {len(data) - end} trailing octet(s) after the value"
    own = _own_verdict(data, spec, refused)
    if own is not _DECODERS:
        return f"{path}: {own}" if own else None
    try:
        components = _components(data, spec, path)
    except _Unexpected as unexpected:
        return f"{path}: {unexpected}"
    unread = False
    for child, child_spec, child_path in components:
        try:
            found = _inside(_decoded(child, child_spec), child_path)
        except _Refused as child_refused:
            found = _locate(child, child_spec, child_path, child_refused)
            unread = unread or found is None  # the decoder's own limit: go on with the others
        if found:
            return found
    if unread:  # this value's rules that span its components cannot be asked of the decoder
        if isinstance(spec, univ.SequenceOfAndSetOfBase):
            try:
                spec.subtypeSpec(components)
            except PyAsn1Error:
                return f"{path}: {_size_violation(data, spec)}"
        return None
    return f"{path}: {_reason(refused, data, spec)}"


_DECODERS = object()  # _own_verdict: the decoder's verdict stands


def _own_verdict(data: bytes, spec: Any, refused: _Refused) -> str | None | object:
    """The verdict on what the decoder cannot read: an OBJECT IDENTIFIER (X.690 8.19), a
    UniversalString, an open type's value of a universal type it does not know (any
    well-formed TLV)."""
    if isinstance(spec, univ.ObjectIdentifier):
        return _oid_violation(data)
    if isinstance(spec, char.UniversalString):
        return _universal_string_violation(data, spec)
    if isinstance(spec, univ.Any) and "unsupported ASN.1 DER tag" in str(refused.error):
        return _length_form(data)
    return _DECODERS


def _oid_violation(data: bytes) -> str | None:
    """X.690 8.19: a primitive, non-empty OBJECT IDENTIFIER of subidentifiers each in its
    fewest octets (no leading 0x80), the last one complete."""
    length = _length_form(data)
    if length:
        return length
    try:
        start, end = header(data, 0)
    except (ValueError, IndexError):
        return "the length runs past the value"
    contents = data[start:end]
    if data[0] & 0x20:
        return "a constructed OBJECT IDENTIFIER"
    if end != len(data):
        return f"{len(data) - end} trailing octet(s) after the value"
    if not contents:
        return "an empty OBJECT IDENTIFIER"
    if contents[-1] & 0x80:
        return "the last subidentifier is cut short"
    starts = [0] + [i + 1 for i, octet in enumerate(contents[:-1]) if not octet & 0x80]
    if any(contents[i] == 0x80 for i in starts):
        return "a subidentifier with a leading 0x80 octet, not in its fewest octets"
    return None


def _universal_string_violation(data: bytes, spec: Any) -> str | None:
    """A primitive UniversalString of whole UCS-4 characters, within `spec`'s constraints."""
    length = _length_form(data)
    if length:
        return length
    try:
        start, end = header(data, 0)
        text = data[start:end].decode("utf-32-be")
    except (ValueError, IndexError):
        return "not a valid UniversalString"
    if data[0] & 0x20 or end != len(data):
        return "not a valid UniversalString"
    try:
        spec.subtypeSpec(text)
    except PyAsn1Error:
        return _size_violation(data, spec)
    return None


def _components(data: bytes, spec: Any, path: str) -> list[tuple[bytes, Any, str]]:
    """The TLVs inside `data` with the types and paths `spec` gives them ([] for a primitive,
    or where the headers cannot be read: the refusal is then this value's own)."""
    if isinstance(spec, univ.Any) or not isinstance(
        spec, (univ.SequenceAndSetBase, univ.SequenceOfAndSetOfBase)
    ):
        return []
    is_choice = isinstance(spec, univ.Choice)
    try:
        for _ in range(len(spec.tagSet.superTags) - (0 if is_choice else 1)):  # explicit tags
            start, end = header(data, 0)
            data = data[start:end]
        if is_choice:
            tag = _tag_of(data, 0)
            for named in spec.componentType.namedTypes:
                if _allows(named.asn1Object, tag):
                    return [(data, named.asn1Object, f"{path}.{named.name}")]
            raise _Unexpected(f"{_tag_name(tag)} is none of {type(spec).__name__}'s alternatives")
        start, end = header(data, 0)
        tlvs = [(data[pos:stop], _tag_of(data, pos)) for _, pos, stop in children(data, start, end)]
    except (ValueError, IndexError):
        return []
    if isinstance(spec, univ.SequenceOfAndSetOfBase):
        return [(tlv, spec.componentType, f"{path}[{i}]") for i, (tlv, _) in enumerate(tlvs)]
    return _matched(tlvs, spec, path)


def _matched(tlvs: list[tuple[bytes, tuple[int, int]]], spec: Any, path: str) -> list:
    """A SEQUENCE's or SET's components, matched to its named types by tag."""
    named = spec.componentType.namedTypes
    out = []
    if isinstance(spec, univ.Set):  # any order
        for tlv, tag in tlvs:
            match = next((n for n in named if _allows(n.asn1Object, tag)), None)
            if match is None:
                raise _Unexpected(f"{_tag_name(tag)} is no component of {type(spec).__name__}")
            out.append((tlv, match.asn1Object, f"{path}.{match.name}"))
        return out
    j = 0
    for tlv, tag in tlvs:
        while True:
            if j == len(named):
                after = f" after {out[-1][2].rsplit('.', 1)[-1]}" if out else ""
                kind = type(spec).__name__
                raise _Unexpected(f"{_tag_name(tag)} matches no component of {kind}{after}")
            candidate = named[j]
            j += 1
            if _allows(candidate.asn1Object, tag):
                out.append((tlv, candidate.asn1Object, f"{path}.{candidate.name}"))
                break
            if not (candidate.isOptional or candidate.isDefaulted):
                raise _Unexpected(f"{candidate.name} expected, {_tag_name(tag)} found")
    return out


def _allows(spec: Any, tag: tuple[int, int]) -> bool:
    """Can a value of `spec` begin with `tag`?"""
    outer = spec.tagSet.superTags
    if outer:
        return _tag_pair(outer[-1]) == tag
    if isinstance(spec, univ.Choice):
        return any(_allows(n.asn1Object, tag) for n in spec.componentType.namedTypes)
    return True  # an untagged ANY


def _tag_pair(t: Any) -> tuple[int, int]:
    return t.tagClass, t.tagId


def _tag_of(data: bytes, pos: int) -> tuple[int, int]:
    """(class, number) of the tag at `pos`: pyasn1's tagClass values are the class bits."""
    first = data[pos]
    number = first & 0x1F
    if number == 0x1F:  # high tag number form
        number = 0
        while True:
            pos += 1
            number = number << 7 | data[pos] & 0x7F
            if not data[pos] & 0x80:
                break
    return first & 0xC0, number


_UNIVERSAL = {
    1: "BOOLEAN", 2: "INTEGER", 3: "BIT STRING", 4: "OCTET STRING", 5: "NULL",
    6: "OBJECT IDENTIFIER", 10: "ENUMERATED", 12: "UTF8String", 16: "SEQUENCE", 17: "SET",
    18: "NumericString", 19: "PrintableString", 20: "TeletexString", 22: "IA5String",
    23: "UTCTime", 24: "GeneralizedTime", 26: "VisibleString", 28: "UniversalString",
    30: "BMPString",
}  # fmt: skip
_CLASSES = {0x40: "APPLICATION ", 0x80: "", 0xC0: "PRIVATE "}


def _tag_name(tag: tuple[int, int]) -> str:
    cls, number = tag
    if cls == 0:
        return _UNIVERSAL.get(number, f"[UNIVERSAL {number}]")
    return f"[{_CLASSES[cls]}{number}]"


# -- the refusal in words ---------------------------------------------------------------------

_PREFIX = re.compile(
    r'Error (?:decoding "[^"]*" TLV|reading TLV header) near substrate offset \d+: '
)
_OFFSET = re.compile(r" after TLV near substrate offset \d+")
_PRESENT = re.compile(r"\('([\w-]+)', <ComponentPresentConstraint")


def _reason(refused: _Refused, data: bytes, spec: Any) -> str:
    error = refused.error
    if error is None and isinstance(spec, (useful.GeneralizedTime, useful.UTCTime)):
        start, end = header(data, 0)
        return f"{data[start:end][:40]!r} is not a {_base_name(spec)} in DER form"
    if error is None:
        return f"not in DER form ({data[:24].hex()}, where DER is {refused.canonical[:24].hex()})"
    text = _PREFIX.sub("", str(error).splitlines()[0] if str(error) else "").strip()
    text = _OFFSET.sub(" after the value", text)
    if "WithComponentsConstraint" in text:
        present = _PRESENT.findall(text)
        which = " or ".join(present) if text.startswith("<ConstraintsUnion") else ", ".join(present)
        return f"{which or 'a component'} must be present"
    if "ValueSizeConstraint" in text:
        return _size_violation(data, spec)
    if "ValueRangeConstraint" in text:
        return _range_violation(data, spec)
    if "incorrect length" in text:
        return _length_form(data) or text
    if isinstance(error, PyAsn1UnicodeError) or not text:
        return f"not a valid {_base_name(spec)}"
    return text[:200]


def _constraints(spec: Any, kind: type) -> list[Any]:
    """The constraints of exactly `kind` in `spec`'s subtypeSpec, at any depth of it."""
    found, pending = [], [spec.subtypeSpec]
    while pending:
        c = pending.pop()
        if type(c) is kind:
            found.append(c)
        elif isinstance(c, constraint.AbstractConstraintSet):
            pending.extend(c)
    return found


def _bound(value: Any) -> str:
    return "MAX" if value == float("inf") else str(int(value))


def _size_violation(data: bytes, spec: Any) -> str:
    size = _constraints(spec, constraint.ValueSizeConstraint)
    if not size:
        return "SIZE constraint violated"
    low, high = _bound(size[0].start), _bound(size[0].stop)
    bounds = low if low == high else f"{low}..{high}"
    try:
        start, end = header(data, 0)
    except (ValueError, IndexError):
        return f"SIZE ({bounds}) violated"
    if start == end:
        actual = "empty"
    elif isinstance(spec, univ.SequenceOfAndSetOfBase):
        actual = f"{len(children(data, start, end))} elements"
    elif isinstance(spec, char.AbstractCharacterString):
        actual = f"{len(data[start:end].decode(spec.encoding, 'replace'))} characters"
    else:
        actual = f"{end - start} octets"
    return f"SIZE ({bounds}) violated: {actual}"


def _range_violation(data: bytes, spec: Any) -> str:
    ranges = _constraints(spec, constraint.ValueRangeConstraint)
    value = ""
    try:
        start, end = header(data, 0)
        value = f": {int.from_bytes(data[start:end], 'big', signed=True)}"
    except (ValueError, IndexError):
        pass
    if not ranges:
        return f"value outside its range{value}"
    return f"value outside ({_bound(ranges[0].start)}..{_bound(ranges[0].stop)}){value}"


def _length_form(data: bytes) -> str | None:
    """Says so when the first header's length is in the long form where DER takes a shorter."""
    if len(data) < 3 or data[1] <= 0x80:
        return None
    octets = data[2 : 2 + (data[1] & 0x7F)]
    length = int.from_bytes(octets, "big")
    if length < 0x80 or octets[0] == 0:
        written = data[1 : 2 + len(octets)].hex()
        return f"length {length} in {1 + len(octets)} octets ({written}), not DER's minimal form"
    return None


def _base_name(spec: Any) -> str:
    """The ASN.1 type a pyasn1 schema is of (IA5String for CPSuri)."""
    for klass in type(spec).__mro__:
        if klass.__module__ in ("pyasn1.type.char", "pyasn1.type.useful"):
            return klass.__name__
    return type(spec).__name__


def _expected(spec: Any) -> str:
    """What a value of `spec` begins with, in words."""
    outer = spec.tagSet.superTags
    if not outer:
        return f"a {type(spec).__name__}"
    tag = _tag_name(_tag_pair(outer[-1]))
    return _base_name(spec) if tag == _UNIVERSAL.get(outer[-1].tagId) == _base_name(spec) else tag

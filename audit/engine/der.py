# cython: nonecheck=True
"""Where the values of a DER encoding are: header walks over TLVs, nothing decoded.

The engine reads some fields as encoded (the TBSCertificate's, the extensions', the
algorithms'), which the decoders normalise away, and keys shared results on the octets of
others. These walks run a few dozen times per certificate, so they are compiled with C types
where a compiler is at hand (setup.py; the types are declared in der.pxd, beside this file,
which stays plain Python). Anything but the common case is left to asn1crypto's reader.
"""

from __future__ import annotations

from asn1crypto import parser as asn1_parser


def header(der: bytes, pos: int) -> tuple[int, int]:
    """(start, end) of the contents of the DER value at `pos`: asn1crypto's header reader.

    The common case (a one-octet tag, a definite length, all of it inside `der`) is read here;
    anything else (high tag numbers, indefinite lengths, truncation) goes to asn1crypto, which
    gives the same answer or error."""
    size = len(der)
    if 0 <= pos < size - 1 and der[pos] & 0x1F != 0x1F:
        length = der[pos + 1]
        if length < 0x80:
            end = pos + 2 + length
            if end <= size:
                return pos + 2, end
        elif length == 0x81:
            if pos + 3 <= size:
                end = pos + 3 + der[pos + 2]
                if end <= size:
                    return pos + 3, end
        elif length == 0x82:
            if pos + 4 <= size:
                end = pos + 4 + (der[pos + 2] << 8 | der[pos + 3])
                if end <= size:
                    return pos + 4, end
        elif length != 0x80:
            start = pos + 2 + (length & 0x7F)
            if start <= size:
                long_end = start + int.from_bytes(der[pos + 2 : start], "big")
                if long_end <= size:
                    return start, long_end
    return asn1_parser._parse(der, size, pos, lengths_only=True)


def children(der: bytes, pos: int, end: int) -> list[tuple[int, int, int]]:
    """(first tag octet, start, end) of each TLV from `pos` up to `end`, one after another (the
    last may run past `end`: the caller decides what that means)."""
    out = []
    while pos < end:
        stop = header(der, pos)[1]
        out.append((der[pos], pos, stop))
        pos = stop
    return out


def encode(tag: int, contents: bytes) -> bytes:
    """A DER TLV with a one-octet tag."""
    size = len(contents)
    if size < 0x80:
        return bytes((tag, size)) + contents
    if size < 0x10000:
        # (not `*divmod(...)` inside bytes((...)): Cython 3.3 compiles that wrongly)
        head = (tag, 0x81, size) if size < 0x100 else (tag, 0x82, size >> 8, size & 0xFF)
        return bytes(head) + contents
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(length))) + length + contents


def sct_list_fields(data: bytes, bound: int) -> list[tuple[bytes, int]] | None:
    """(log ID, timestamp in milliseconds) of each SCT in a SignedCertificateTimestampList's
    TLS encoding (RFC 6962 3.3: a 2-octet length, then each SCT with its own 2-octet length;
    version, 32-octet log ID and 8-octet timestamp first). None when the lengths do not add up,
    or a timestamp is at or past `bound`. (TLS, not DER; the same kind of walk.)"""
    size = len(data)
    if size < 2 or (data[0] << 8 | data[1]) != size - 2:
        return None
    out = []
    pos = 2
    while pos < size:
        if pos + 2 > size:
            return None
        length = data[pos] << 8 | data[pos + 1]
        if length < 41 or pos + 2 + length > size:
            return None
        milliseconds = int.from_bytes(data[pos + 35 : pos + 43], "big")
        if milliseconds >= bound:
            return None
        out.append((data[pos + 3 : pos + 35], milliseconds))
        pos += 2 + length
    return out

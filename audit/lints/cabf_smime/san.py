"""S/MIME BR 7.1.2.3(h) and 7.1.4.2.1: the subjectAltName of subscriber certificates.

It holds the certificate's Mailbox Addresses, as rfc822Name or as otherName of type
id-on-SmtpUTF8Mailbox (RFC 9598, formerly RFC 8398); every Mailbox Address elsewhere in the
certificate is repeated there. (The syntax of an rfc822Name is RFC 5280's, judged for every
certificate by rfc5280.san_rfc822_name_syntax; that the extension SHOULD NOT be critical with a
subject is RFC 5280's too: rfc5280.san_not_critical_with_subject.)
"""

from __future__ import annotations

from audit.engine import oids
from audit.engine.certview import CertView
from audit.engine.registry import Source, lint
from audit.engine.status import PASS, Outcome, Status, fail
from audit.lints import dates
from audit.lints.cabf_smime._shared import (
    SMIME_BR,
    SMTP_UTF8_MAILBOX,
    STRICT,
    looks_like_mailbox,
    mailbox_key,
    san_entries,
    subject_mailboxes,
)

# 7.1.4.2.1: the GeneralName types a subscriber certificate's subjectAltName may hold.
ALLOWED_KINDS = frozenset({"rfc822Name", "otherName", "directoryName"})


@lint(
    name="smime_san_present",
    description="An S/MIME subscriber certificate has a subjectAltName extension.",
    citation="S/MIME BR 7.1.2.3(h), 7.1.4.2.1",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    zlint=("e_san_shall_be_present",),
)
def san_present(cert: CertView) -> Outcome:
    if not cert.has_extension(oids.SUBJECT_ALT_NAME):
        return fail("no subjectAltName extension")
    return PASS


@lint(
    name="smime_san_has_mailbox",
    description="subjectAltName holds at least one Mailbox Address: an rfc822Name or an "
    "otherName of type id-on-SmtpUTF8Mailbox.",
    citation="S/MIME BR 7.1.4.2.1",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    needs=(oids.SUBJECT_ALT_NAME,),
)
def san_has_mailbox(cert: CertView) -> Outcome:
    if not san_entries(cert).mailboxes:
        return fail("subjectAltName has no rfc822Name and no SmtpUTF8Mailbox otherName")
    return PASS


@lint(
    name="smime_san_general_name_types",
    description="subjectAltName holds only rfc822Name, otherName and directoryName entries (no "
    "dNSName, iPAddress, URI, registeredID, x400Address or ediPartyName).",
    citation="S/MIME BR 7.1.4.2.1",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    needs=(oids.SUBJECT_ALT_NAME,),
)
def san_general_name_types(cert: CertView) -> Outcome:
    other = sorted(set(san_entries(cert).kinds) - ALLOWED_KINDS)
    if other:
        return fail(f"subjectAltName has entries of type {', '.join(other)}")
    return PASS


@lint(
    name="smime_strict_san_other_name_smtp_utf8_only",
    description="In a Strict Generation certificate every otherName of subjectAltName is of "
    "type id-on-SmtpUTF8Mailbox (Legacy and Multipurpose may carry other types the CA has "
    "validated).",
    citation="S/MIME BR 7.1.4.2.1",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=STRICT,
    effective=dates.SMIME_BR_1_0_0,
    needs=(oids.SUBJECT_ALT_NAME,),
)
def strict_san_other_name_smtp_utf8_only(cert: CertView) -> Outcome:
    types = sorted({o.type_id for o in san_entries(cert).other} - {SMTP_UTF8_MAILBOX})
    if types:
        return fail(f"subjectAltName has otherName entries of type {', '.join(types)}")
    return PASS


@lint(
    name="smime_smtp_utf8_mailbox_encoding",
    description="An otherName of type id-on-SmtpUTF8Mailbox holds a UTF8String mailbox whose "
    "local part has a non-ASCII character: an address with an ASCII local part is an "
    "rfc822Name instead.",
    citation="S/MIME BR 7.1.4.2.1; RFC 9598 3 (RFC 8398 3)",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    needs=(oids.SUBJECT_ALT_NAME,),
)
def smtp_utf8_mailbox_encoding(cert: CertView) -> Outcome:
    for o in san_entries(cert).other:
        if o.type_id != SMTP_UTF8_MAILBOX:
            continue
        if o.value is None:
            return fail("an SmtpUTF8Mailbox value is not a valid UTF8String")
        local, at, domain = o.value.rpartition("@")
        if not at or not local or not domain:
            return fail(f"SmtpUTF8Mailbox {o.value[:200]!r} is not a mailbox (local-part@domain)")
        if local.isascii():
            return fail(f"SmtpUTF8Mailbox {o.value[:200]!r} has an ASCII local part: it belongs "
                        "in an rfc822Name")  # fmt: skip
    return PASS


def _mailboxes_outside_san(cert: CertView) -> bool:
    if subject_mailboxes(cert):
        return True
    return any(
        looks_like_mailbox(a.value) for n in san_entries(cert).directory for a in n.attributes
    )


@lint(
    name="smime_mailbox_addresses_in_san",
    description="Every Mailbox Address in the subject (emailAddress, or any attribute holding "
    "one, such as commonName) or in a directoryName entry of subjectAltName is repeated in "
    "subjectAltName as an rfc822Name or an SmtpUTF8Mailbox otherName. The local part is "
    "compared as it is, the domain without regard to case.",
    citation="S/MIME BR 7.1.4.2.1",
    source=Source.CABF_SMIME,
    severity=Status.ERROR,
    applies=SMIME_BR,
    effective=dates.SMIME_BR_1_0_0,
    when=_mailboxes_outside_san,
    zlint=("e_mailbox_address_shall_contain_an_rfc822_name",),
)
def mailbox_addresses_in_san(cert: CertView) -> Outcome:
    entries = san_entries(cert)
    in_san = {mailbox_key(m) for m in entries.mailboxes}
    outside = [v for _, v in subject_mailboxes(cert)]
    outside += [
        a.value for n in entries.directory for a in n.attributes if looks_like_mailbox(a.value)
    ]
    missing = [m for m in outside if mailbox_key(m) not in in_san]
    if missing:
        shown = ", ".join(repr(m[:200]) for m in missing[:5])
        return fail(f"Mailbox Address {shown} is not an rfc822Name or SmtpUTF8Mailbox in "
                    "subjectAltName")  # fmt: skip
    return PASS

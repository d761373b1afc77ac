"""The CA/Browser Forum S/MIME Baseline Requirements (S/MIME BR, from 1.0.0 of 2023-09-01).

Subscriber certificates are told apart by their reserved policy OID (7.1.6.1): validation type
(mailbox, organization, sponsor, individual) and generation (legacy, multipurpose, strict) are
profiles (audit/engine/profiles.py), so each lint names the table row it enforces. S/MIME CA
certificates keep the CA profiles (the TLS BR govern them too) and are picked out by their EKU or
policies (`_shared.is_smime_ca`). One module per concern: subject, organization_identifier,
san, eku, key_usage, policies, crl_aia, validity, keys, extensions, encoding, ca_certificates.

Where the S/MIME BR only repeat RFC 5280 (keyUsage and subjectAltName criticality, the syntax of
an rfc822Name, authorityKeyIdentifier present and not critical, subjectKeyIdentifier), the rfc5280
lint judges every certificate and names the zlint S/MIME lint among its equivalents; the rules
here are those the S/MIME BR add.
"""

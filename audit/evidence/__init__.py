"""Auditor evidence packages: one archive holding a run's outputs, a manifest with the SHA-256 of
every file, an optional signature over the manifest, and the tools to verify it and to prove
that a certificate was in the audited population."""

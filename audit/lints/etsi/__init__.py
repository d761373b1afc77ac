"""ETSI EN 319 412 parts 1 to 5 (certificate profiles for natural persons, legal persons and web
sites, and the QCStatements of EU qualified certificates) and ETSI TS 119 495 (PSD2).

They apply to any certificate that carries a qcStatements extension or an ETSI policy
identifier, whatever its CA/Browser Forum profile: an EU qualified certificate for web sites is
also a TLS certificate, one for electronic signatures often an S/MIME one.
"""

"""certcensus: the full-population self-audit for certificate authorities."""

__version__ = "0.1.0"

"""certcensus: the full-population self-audit for certificate authorities."""

import os
import sys

from audit import compiled

__version__ = "0.1.0"

# Arrow allocates from jemalloc, which gives freed memory back to the system, rather than from
# its default mimalloc, which keeps it for reuse: a long-lived process (the job's driver running
# its finish steps one after another, a worker linting partition after partition) would
# otherwise hold on to its highest use so far, step after step. Measured on a million
# certificates, the driver's finish steps peak at 253 MiB with jemalloc, 357 MiB without.
# Arrow reads this when it first allocates, so it is set before anything here imports pyarrow
# (and inherited by the job's local worker processes); a setting of the user's own is kept.
# Linux only: the wheels for other systems may lack jemalloc (Arrow would warn and ignore it).
if sys.platform.startswith("linux"):
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")

# Before any compiled module is imported: an edited source is not shadowed by its old build.
compiled.install()

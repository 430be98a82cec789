"""The product's WSGI application for the submission benchmark: each server worker, once it has
loaded it, leaves a file named by its pid in $BENCH_READY_DIR, so the load starts when all of
them are ready (on a loaded machine, booting the workers takes longer than any fixed sleep)."""

import os
from pathlib import Path

from nps_platform.wsgi import application  # noqa: F401 - what the server serves

Path(os.environ["BENCH_READY_DIR"], str(os.getpid())).touch()

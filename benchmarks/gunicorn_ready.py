"""gunicorn settings for the submission benchmark: each worker, once it has loaded the
application, leaves a file named by its pid in $BENCH_READY_DIR, so the load starts when all of
them are ready (on a loaded machine, booting four workers takes longer than any fixed sleep)."""

import os
from pathlib import Path


def post_worker_init(worker):
    Path(os.environ["BENCH_READY_DIR"], str(worker.pid)).touch()

"""The production web server: granian (an HTTP server written in Rust) serving the WSGI
application, the one command every deployment runs (Dockerfile, docker-compose.yml, the
scale-out test, the benchmark):

    python -m nps_platform.serve [--host 0.0.0.0] [--port 8000] [--workers N] [--threads T]

granian rather than gunicorn's sync workers (issue 16, docs/performance.md): it keeps HTTP/1.1
connections alive and parses requests outside Python: on two cores, interleaved runs of the
submission benchmark, the public link's answers came about a tenth faster with a p99 five to eight
times lower (30 ms against 150–250 ms), and a view that saves nothing twice as fast. Each worker is a
process with `--threads` threads running the application (a request waiting on PostgreSQL lets
another run); a worker that dies is started again. `WEB_WORKERS` (default: one per core),
`WEB_THREADS` (default 2), `WEB_HOST`, `WEB_PORT` set the same from the environment."""

from __future__ import annotations

import argparse
import os


def _options(argv: list[str] | None) -> argparse.Namespace:
    environ = os.environ
    parser = argparse.ArgumentParser(prog="python -m nps_platform.serve", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default=environ.get("WEB_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(environ.get("WEB_PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(environ.get("WEB_WORKERS", os.cpu_count() or 1)))
    parser.add_argument("--threads", type=int, default=int(environ.get("WEB_THREADS", "2")))
    parser.add_argument("--access-log", action="store_true", help="log every request")
    parser.add_argument("--log-level", default=environ.get("WEB_LOG_LEVEL", "info"),
                        choices=["critical", "error", "warning", "warn", "info", "debug"])
    parser.add_argument("--app", default="nps_platform.wsgi:application", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    options = _options(argv)
    Granian(options.app, address=options.host, port=options.port, interface=Interfaces.WSGI,
            workers=max(1, options.workers), blocking_threads=max(1, options.threads), websockets=False,
            respawn_failed_workers=True, log_level=options.log_level, log_access=options.access_log).serve()


if __name__ == "__main__":
    main()

from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """The benchmarks' data commands (`manage.py bench_data`, `bench_dispatch_data`); `run.py`
    and `dispatch.py` beside them drive the measurements (docs/performance.md)."""

    name = "benchmarks"
    verbose_name = "Benchmarks"

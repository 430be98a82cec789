"""Settings for the submission benchmark's floor: the product's settings (middleware and all)
with one more URL, an answer view that saves nothing (benchmarks/floor_urls.py)."""

from nps_platform.settings.local import *  # noqa: F403

ROOT_URLCONF = "benchmarks.floor_urls"

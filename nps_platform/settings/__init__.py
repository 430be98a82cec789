"""Settings package: `base` holds everything; `local`, `production` and `test` adjust it per run mode."""

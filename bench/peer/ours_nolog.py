"""This app's site with the provisioning log switched off (bench/peer/run --no-log).

Only for measuring what the one-row-per-request log costs; the default run
measures the site as configured, log included. The site is example_project
(BENCH_SITE=tuned, the default) or ours_defaults (BENCH_SITE=defaults).
"""

from __future__ import annotations

import importlib
import os

_site = importlib.import_module(
    "ours_defaults" if os.environ.get("BENCH_SITE") == "defaults" else "example_project.settings"
)
globals().update((name, value) for name, value in vars(_site).items() if name.isupper())

SCIM = {**getattr(_site, "SCIM", {}), "LOG_REQUESTS": False}

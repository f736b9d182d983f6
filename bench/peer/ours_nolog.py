"""example_project's settings with the provisioning log switched off (bench/peer/run --no-log).

Only for measuring what the one-row-per-request log costs; the default run
measures example_project as shipped, log included.
"""

from __future__ import annotations

from example_project.settings import *  # noqa: F403
from example_project.settings import SCIM

SCIM = {**SCIM, "LOG_REQUESTS": False}

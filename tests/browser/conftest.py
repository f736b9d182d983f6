"""Headless Chromium from the distribution's packages (``chromium``, ``chromium-driver``),
driven by Selenium; no browser is downloaded. Without them these tests skip, unless
SCIM_BROWSER_REQUIRED=1 (as CI sets it), when they fail instead.

Screenshots go to ``build/screenshots/`` (ignored by git).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,1000",
)


def _executables() -> tuple[str, str] | None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (chromium, driver) if chromium and driver else None


@pytest.fixture(scope="session")
def browser(tmp_path_factory) -> Iterator:
    found = _executables()
    if found is None:
        message = "chromium and chromium-driver are not installed (apt-get install them)"
        if os.environ.get("SCIM_BROWSER_REQUIRED") == "1":
            pytest.fail(message)
        pytest.skip(message)
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = found[0]
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(service=Service(found[1]), options=options)
    driver.implicitly_wait(10)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


@pytest.fixture
def shoot(browser):
    """Save what the browser shows now as build/screenshots/<name>.png."""

    def save(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        browser.save_screenshot(str(path))
        return path

    return save

"""Open an HTML report in headless Chromium and check that plotly rendered its charts: the DOM
holds plotly's ``svg.main-svg`` elements (``--dump-dom`` runs the page's scripts first) and the
screenshot is not blank (many distinct colours).

Chromium is Debian's ``chromium`` package. When it is missing the check skips, except in CI
(``CI=true``), where it fails: a report that never rendered must not pass silently.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

__all__ = ["chromium_binary", "check_report_renders"]

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_binary() -> str:
    """Path of chromium; skips the test (fails under CI=true) when there is none."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("chromium is required in CI (apt-get install -y chromium)")
    pytest.skip("chromium is not installed (apt-get install -y chromium)")
    raise AssertionError("unreachable")


def _run(args: list[str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)


def check_report_renders(html_path: Path, tmp: Path, min_plots: int = 1) -> None:
    browser = chromium_binary()
    url = html_path.resolve().as_uri()
    dom = _run([browser, *FLAGS, f"--user-data-dir={tmp / 'chrome-dom'}", "--virtual-time-budget=10000", "--dump-dom", url])
    assert dom.returncode == 0, dom.stderr[-2000:]
    plots = dom.stdout.count('class="main-svg"')
    assert plots >= min_plots, f"only {plots} rendered plotly svg layers in the DOM"
    assert "js-plotly-plot" in dom.stdout

    png = tmp / "report.png"
    shot = _run([browser, *FLAGS, f"--user-data-dir={tmp / 'chrome-shot'}", "--virtual-time-budget=10000",
                 f"--screenshot={png}", "--window-size=1280,2000", url])
    assert shot.returncode == 0 and png.is_file(), shot.stderr[-2000:]
    from PIL import Image

    img = Image.open(png).convert("RGB")
    colours = img.getcolors(maxcolors=1 << 22) or []
    assert len(colours) > 200, f"screenshot looks blank: {len(colours)} distinct colours"
    # the chart area (below the header and alert tables) is not one flat colour either
    lower = img.crop((0, img.height // 3, img.width, img.height)).getcolors(maxcolors=1 << 22) or []
    assert len(lower) > 50, f"chart region looks blank: {len(lower)} distinct colours"

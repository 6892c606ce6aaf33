"""End to end in a real browser: JupyterLab from .venv runs a notebook and shows its sliders.

nbval cannot see widgets; this test catches "the sliders show as text" (a JupyterLab
without `jupyterlab_widgets`) and a notebook that fails when run in JupyterLab itself.
It needs Debian's chromium (`.ci/run` installs it); elsewhere it is skipped, except on CI.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
TOKEN = "cnn-course-test"
NOTEBOOK = "01_convolution_by_hand.ipynb"

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail(
            "CI must run the browser test: install Debian's chromium", pytrace=False
        )
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a copy of the notebooks; yields its base URL."""
    folder = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", folder / "notebooks")
    (folder / "images").symlink_to(ROOT / "images")
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={folder}",
            "--LabApp.expose_app_in_browser=True",
            f"--LabApp.workspaces_dir={folder / 'workspaces'}",
            f"--LabApp.user_settings_dir={folder / 'settings'}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("JupyterLab did not start within 60 s")
            time.sleep(0.5)
    yield url
    server.terminate()
    server.wait(timeout=20)


def test_notebook_runs_in_jupyterlab_and_shows_sliders(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{lab}/lab/tree/notebooks/{NOTEBOOK}?token={TOKEN}")
        page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=60_000)
        # Run only once the kernel is connected and idle: earlier, JupyterLab asks
        # which kernel to use and the run is lost.
        page.wait_for_function(
            "() => { const k = window.jupyterapp?.shell?.currentWidget"
            "?.sessionContext?.session?.kernel;"
            " return k && k.connectionStatus === 'connected' && k.status === 'idle'; }",
            timeout=60_000,
        )
        page.evaluate(
            "() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }"
        )
        slider = page.wait_for_selector(
            ".jupyter-widgets .widget-slider", timeout=90_000
        )
        page.wait_for_function(
            "() => document.querySelector("
            "'.jp-Notebook-ExecutionIndicator[data-status=\"idle\"]')"
            " && [...document.querySelectorAll('.jp-InputArea-prompt')]"
            ".every(e => !e.textContent.includes('*'))",
            timeout=90_000,
        )
        # Drag the slider with the keyboard: the readout and the figure must follow.
        output = page.locator(".jp-OutputArea-output:has(.widget-slider)").first
        figure_before = output.locator("img").first.get_attribute("src")
        output.locator(".noUi-handle, .ui-slider-handle, [role=slider]").first.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "(src) => { const o = [...document.querySelectorAll('.jp-OutputArea-output')]"
            ".find(e => e.querySelector('.widget-slider'));"
            " const img = o && o.querySelector('img'); return img && img.src !== src; }",
            arg=figure_before,
            timeout=30_000,
        )
        readout = output.locator(".widget-readout").first.inner_text()
        shots = Path(os.environ.get("TMPDIR", "/tmp"))
        page.screenshot(path=str(shots / "lab-01.png"))
        slider.scroll_into_view_if_needed()
        page.locator(".jp-OutputArea-output:has(.widget-slider)").first.screenshot(
            path=str(shots / "lab-01-slider.png")
        )
        dialogs = page.locator(".jp-Dialog").count()
        errors = page.locator(".jp-OutputArea-output[data-mime-type*='error']").count()
        text_widgets = page.get_by_text("interactive(children=").count()
        assert slider.is_visible()
        assert readout.strip() == "2", (
            f"slider readout {readout!r} after one step right"
        )
        assert dialogs == 0, (
            "JupyterLab asked a question (kernel choice?) instead of running"
        )
        assert errors == 0, f"{errors} cell(s) raised an error in JupyterLab"
        assert text_widgets == 0, (
            "a widget was shown as text: jupyterlab_widgets missing?"
        )
        browser.close()

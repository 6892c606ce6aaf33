"""Every notebook in a real browser: JupyterLab from .venv, headless Debian chromium.

The server is started with the command of ``make lab`` (`helpers.tools.lab.command`), on
a folder laid out like the repository (``notebooks/``, ``images/`` and ``learner/`` with
every learner copy), so it serves what a learner's JupyterLab serves: the root page must
open ``learner/00_start_here.ipynb``, and in every notebook and every learner copy each
image must load (naturalWidth > 0) and each link must resolve (a file the server serves,
or an anchor of the page). nbgrader's instructor tools must be off for that server and on
for the instructor's (``make instructor-lab``).

nbval cannot see widgets or JupyterLab itself. For every notebook (and every learner
copy), in a fresh browser context with ``?reset`` (a workspace restored from an earlier
session cannot get in the way), the test waits for the kernel to be connected and idle,
runs all cells of every notebook that has a widget and of one learner copy (the others
nbval runs in the same `make test` and compares their stored outputs with its run: here
those outputs are checked as JupyterLab shows them, so no notebook trains twice), and
asserts: no error or stderr output, no dialog (kernel choice), every widget rendered as
controls (never as ``interactive(children=...)`` text), and for each widget cell, a key
press on its first control changes its figure; on notebook 11's sketchpad, two strokes
drawn with the mouse and a photo uploaded through its button each change the
probabilities (`tests/browser_sketchpad.py`). It reports the time from the key press
(or stroke, or upload) to the new figure (target: under 0.5 s) and saves a screenshot per
notebook in ``screenshots/lab/`` (git-ignored). It needs Debian's chromium (``.ci/run``
installs it); elsewhere it is skipped, except on CI.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import browser_sketchpad
import nbformat
import pytest

from helpers.cnn import MODEL_ENV, QUICK_ENV
from helpers.tools import lab as lab_command
from helpers.tools import labsettings, student

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
TOKEN = "cnn-course-test"
SHOTS = ROOT / "screenshots" / "lab"
NOTEBOOKS = student.notebooks()
LEARNER_COPY = "01_convolution_by_hand.ipynb"  # the learner copy that is run
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
TARGET_SECONDS = 0.5  # reported; asserted only against a hang-like 10x regression
RUN_TIMEOUT_MS = 600_000  # the widget notebooks run in seconds; a hang shows in minutes
LATENCIES: dict[str, list[float]] = {}
LINKS: dict[str, tuple[int, int]] = {}  # notebook: (images, links) checked

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail(
            "CI must run the browser test: install Debian's chromium", pytrace=False
        )
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

CASES = [("notebooks", p.name) for p in NOTEBOOKS] + [("learner", p.name) for p in NOTEBOOKS]


def shut_down_kernels(url: str) -> None:
    """End every session of the server (each notebook's kernel holds memory)."""
    api = f"{url}/api/sessions"
    with urllib.request.urlopen(f"{api}?token={TOKEN}", timeout=10) as response:
        sessions = json.load(response)
    for session in sessions:
        request = urllib.request.Request(
            f"{api}/{session['id']}?token={TOKEN}", method="DELETE"
        )
        urllib.request.urlopen(request, timeout=30).close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def widget_cells(path: Path) -> int:
    nb = nbformat.read(path, as_version=4)
    return sum(
        any("data" in o and WIDGET_MIME in o.data for o in c.get("outputs", []))
        for c in nb.cells
        if c.cell_type == "code"
    )


def start_server(folder: Path, env: dict) -> tuple[subprocess.Popen, str]:
    """`make lab`'s JupyterLab on `folder`, plus what a test needs (a port, a token,
    no browser of its own, its own workspaces and settings); returns it and its URL."""
    port = free_port()
    server = subprocess.Popen(
        lab_command.command(root=folder, port=port, extra=(
            "--no-browser",
            "--ip=127.0.0.1",
            f"--IdentityProvider.token={TOKEN}",
            "--LabApp.expose_app_in_browser=True",
            f"--LabApp.workspaces_dir={folder / 'workspaces'}",
            f"--LabApp.user_settings_dir={folder / 'settings'}",
        )),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
            return server, url
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("JupyterLab did not start within 90 s")
            time.sleep(0.5)


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()  # it shuts its kernels down first: give it time on a busy machine
    try:
        server.wait(timeout=90)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def layout(tmp_path_factory):
    """A folder laid out like the repository after `make lab`: notebooks/, images/ and
    learner/ with every learner copy (written by make lab's own code)."""
    folder = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", folder / "notebooks")
    shutil.copytree(ROOT / "images", folder / "images")
    student.make_copies(folder / "learner")
    return folder


@pytest.fixture(scope="module")
def lab(layout):
    """`make lab`'s JupyterLab on a copy of the repository's layout; yields its URL."""
    # Should a notebook that trains ever run here, it runs quick (one short epoch) and
    # keeps its model in this folder, never in models/: nbval ran it in full.
    env = dict(
        os.environ,
        TF_CPP_MIN_LOG_LEVEL="3",
        **{QUICK_ENV: "1", MODEL_ENV: str(layout / "models" / "fashion_cnn.keras")},
    )
    server, url = start_server(layout, env)
    yield url
    stop_server(server)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
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
        yield chromium
        chromium.close()


@pytest.fixture
def page(lab, browser):
    """A page in a fresh browser context (no stored state); its kernels end after."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield context.new_page()
    context.close()
    shut_down_kernels(lab)


# JavaScript run in the page ------------------------------------------------------------
KERNEL_IDLE = """() => {
  const k = window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel;
  return k && k.connectionStatus === 'connected' && k.status === 'idle';
}"""
ALL_RUN = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  const k = nb?.sessionContext?.session?.kernel;
  if (!k || k.status !== 'idle') return false;
  const cells = nb.content.model.cells;
  let pending = false, failed = false;
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    if (c.type !== 'code') continue;
    if (c.executionCount === null && c.sharedModel.source.trim()) pending = true;
    // run-all stops at an error: the cells after it never run, so stop waiting
    if (c.outputs.toJSON().some(o => o.output_type === 'error')) failed = true;
  }
  if (pending && !failed) return false;
  return ![...document.querySelectorAll('.jp-InputArea-prompt')]
    .some(e => e.textContent.includes('*'));
}"""
BAD_OUTPUTS = """() => {
  const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
  const bad = [];
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    if (c.type !== 'code') continue;
    for (const o of c.outputs.toJSON()) {
      if (o.output_type === 'error') bad.push([i, o.ename + ': ' + o.evalue]);
      if (o.output_type === 'stream' && o.name === 'stderr') bad.push([i, o.text]);
      const text = (o.data && o.data['text/plain']) || '';
      if (o.output_type !== 'stream' && /^\\w+\\((children|value)=/.test(text)
          && !(o.data && o.data['application/vnd.jupyter.widget-view+json']))
        bad.push([i, 'a widget shown as text: ' + text.slice(0, 60)]);
    }
  }
  return bad;
}"""
IMAGES_LOADED = """() => [...document.querySelectorAll('.jp-Notebook img')]
  .every(i => i.complete)"""
# Every image and link a learner sees in the notebook's text (markdown and HTML output);
# JupyterLab's own heading permalinks (jp-InternalAnchorLink) are not the notebook's.
IMAGES_AND_LINKS = """() => {
  const nb = document.querySelector('.jp-Notebook');
  const images = [...nb.querySelectorAll('img')]
    .map(i => [i.getAttribute('src').slice(0, 120), i.naturalWidth]);
  const links = [...nb.querySelectorAll(
      '.jp-RenderedMarkdown a[href], .jp-RenderedHTMLCommon a[href]')]
    .filter(a => !a.classList.contains('jp-InternalAnchorLink'))
    .map(a => [a.getAttribute('href'), a.href]);
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  return {images, links, ids};
}"""
# Starts the clock at the cell's first keydown (or when the test sets window.__t0) and
# stops it when a picture of the cell changes.
WATCH = browser_sketchpad.WATCH_EVENT

# The controls a learner would touch, and the key that moves each (sliders and menus are
# all moved; number boxes only when a widget has nothing else).
CONTROLS = [
    (".jupyter-widgets .noUi-handle, .jupyter-widgets [role=slider]", "ArrowRight"),
    (".jupyter-widgets input[type=number]", "Enter"),  # type a number, then Enter
    # a closed <select> ignores arrow keys in headless chromium: pick the next option
    (".jupyter-widgets select", "select"),
]


def move(page, cell, control, key: str) -> float | None:
    """Move one control of a widget cell; the seconds until its figure changed (None for
    a slider whose range is one value: it cannot move)."""
    if key == "ArrowRight":  # a slider at its maximum moves left (ranges follow others)
        now, low, high = (float(control.get_attribute(f"aria-value{end}") or 0)
                          for end in ("now", "min", "max"))
        if low == high:
            return None
        key = "ArrowLeft" if now >= high else key
    control.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    cell.evaluate(WATCH, "keydown")
    control.focus()
    if key == "Enter":
        control.fill(str(float(control.input_value() or 0) + 1))
    if key == "select":  # the next option, round
        index = control.evaluate("e => (e.selectedIndex + 1) % e.options.length")
        page.evaluate("() => { window.__t0 = performance.now(); }")
        control.select_option(index=index)
    else:
        page.keyboard.press(key)
    page.wait_for_function("() => window.__latency !== null", timeout=30_000)
    seconds = page.evaluate("() => window.__latency") / 1000
    page.wait_for_timeout(300)  # the rest of the figure arrives before the next control
    return seconds


def broken_images_and_links(page, url: str, where: str) -> tuple[list, list]:
    """The images of the open notebook that did not load, and its links that do not
    resolve: a file link must be served (HTTP 200), an anchor must be on the page."""
    page.wait_for_function(IMAGES_LOADED, timeout=30_000)
    found = page.evaluate(IMAGES_AND_LINKS)
    broken = [src for src, width in found["images"] if width == 0]
    dead = []
    for written, href in found["links"]:
        parsed = urllib.parse.urlsplit(href)
        if f"{parsed.scheme}://{parsed.netloc}" != url:
            continue  # another site: `make links` lists those, nothing is fetched here
        if parsed.path.startswith("/lab/tree/") and parsed.fragment:
            anchor = urllib.parse.unquote(parsed.fragment)
            if parsed.path == f"/lab/tree/{where}" and anchor not in found["ids"]:
                dead.append((written, "no such anchor"))
            continue
        status = page.request.get(href).status
        if status != 200:
            dead.append((written, status))
    LINKS[where] = (len(found["images"]), len(found["links"]))
    return broken, dead


@pytest.mark.parametrize(
    "folder,name", CASES, ids=[f"{f}/{n}" for f, n in CASES]
)
def test_notebook_runs_in_jupyterlab_and_its_widgets_move_the_figure(
    lab, page, folder, name, tmp_path
):
    expected_widgets = widget_cells(ROOT / "notebooks" / name)
    start = time.perf_counter()
    page.goto(f"{lab}/lab/tree/{folder}/{name}?reset&token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=90_000)
    # ?reset: no workspace restored. Run only once the kernel is connected and idle:
    # earlier, JupyterLab asks which kernel to use and the run is lost.
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)
    dialogs = page.locator(".jp-Dialog").count()
    if folder == "learner" and name != LEARNER_COPY:
        # Opened for its text, images and links only: its widgets need a run, and the
        # lesson's widgets run above (notebooks/) and in LEARNER_COPY.
        expected_widgets = 0
    runs = (folder, name) == ("learner", LEARNER_COPY) or expected_widgets > 0
    if runs:
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_timeout(1000)
        page.wait_for_function(ALL_RUN, timeout=RUN_TIMEOUT_MS, polling=1000)
    # else: nbval runs this notebook in the same `make test`, and compares its stored
    # outputs with its run; here they are checked as JupyterLab shows them, with the
    # project's kernel connected, without a second run.
    run_seconds = time.perf_counter() - start
    bad = page.evaluate(BAD_OUTPUTS)
    dialogs += page.locator(".jp-Dialog").count()
    broken_images, dead_links = broken_images_and_links(page, lab, f"{folder}/{name}")

    cells = page.locator(".jp-CodeCell").filter(
        has=page.locator(".jp-OutputArea-output .jupyter-widgets")
    )
    rendered = cells.count() if runs else 0
    latencies = []
    for i in range(rendered):  # every slider and menu of every widget moves its figure
        cell = cells.nth(i)
        controls = [(cell.locator(sel).nth(k), key) for sel, key in CONTROLS[::2]
                    for k in range(cell.locator(sel).count())]
        if not controls:  # number boxes only: type a number into the first
            controls = [(cell.locator(CONTROLS[1][0]).first, CONTROLS[1][1])]
        for control, key in controls:
            seconds = move(page, cell, control, key)
            if seconds is not None:
                latencies.append(seconds)
    moves = len(latencies)
    sketchpads = cells.filter(has=page.locator("canvas")) if rendered else None
    drawn = None
    if sketchpads is not None and sketchpads.count():  # notebook 11: draw and upload
        drawn = browser_sketchpad.draw_and_upload(page, sketchpads.first, tmp_path)
        latencies += drawn["seconds"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / f"{'learner-' if folder == 'learner' else ''}{Path(name).stem}.png"
    if rendered:
        cells.first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(shot))

    LATENCIES[f"{folder}/{name}"] = latencies
    print(
        f"\n{folder}/{name}: {'ran' if runs else 'opened'} in {run_seconds:.0f} s; "
        f"{rendered} widget cell(s); "
        f"key press to new figure: {', '.join(f'{t:.2f} s' for t in latencies) or '-'}"
    )
    assert not bad, f"{name}: error, stderr or text-widget output in JupyterLab: {bad}"
    assert not broken_images, f"{folder}/{name}: images that do not load: {broken_images}"
    assert not dead_links, f"{folder}/{name}: links that do not resolve: {dead_links}"
    assert dialogs == 0, "JupyterLab asked a question (kernel choice?) instead of running"
    assert rendered == expected_widgets, (
        f"{name}: {rendered} widget cells rendered as controls, {expected_widgets} expected"
    )
    # every widget cell's figure followed its control (and the sketchpad's picture
    # followed each of two strokes and an upload)
    assert moves >= rendered and len(latencies) == moves + (3 if drawn else 0)
    if drawn:
        first, second, uploaded = drawn["shown"]
        assert first != second != uploaded, f"{name}: the probabilities did not change"
        after_one, after_two, after_upload = drawn["maps"]
        assert len(after_one) == 16, f"{name}: 4 layers x 4 maps expected, {len(after_one)}"
        assert after_one != after_two != after_upload, f"{name}: the maps did not change"
        assert drawn["says"] == 1, f"{name}: the sketchpad did not say what the model says"
    slow = [t for t in latencies if t > 10 * TARGET_SECONDS]
    assert not slow, f"{name}: a figure took {slow} s after a key press (target 0.5 s)"


def test_latency_report():
    """Summarise the key-press-to-figure times measured above (runs last)."""
    times = [t for ts in LATENCIES.values() for t in ts]
    if not times:
        pytest.skip("no widget cell was measured in this run")
    times.sort()
    median = times[len(times) // 2]
    print(
        f"\nkey press to new figure over {len(times)} widget cells: median {median:.2f} s,"
        f" worst {times[-1]:.2f} s (target {TARGET_SECONDS} s)"
    )
    (SHOTS / "latency.json").write_text(json.dumps(LATENCIES, indent=1))
    assert median < 10 * TARGET_SECONDS


def test_the_root_page_opens_the_first_learner_copy(lab, page):
    """What `make lab` opens: its root page is learner/00_start_here.ipynb."""
    page.goto(f"{lab}/?reset&token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    opened = page.evaluate("() => window.jupyterapp.shell.currentWidget.context.path")
    assert opened == lab_command.START == "learner/00_start_here.ipynb"
    assert page.url.split("?")[0] == f"{lab}/lab/tree/{lab_command.START}"


def page_config(url: str) -> dict:
    with urllib.request.urlopen(f"{url}/lab?token={TOKEN}", timeout=30) as response:
        html = response.read().decode()
    start = html.index(">", html.index('id="jupyter-config-data"')) + 1
    return json.loads(html[start:html.index("</script>", start)])


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_nbgraders_instructor_tools_are_off_for_learners_and_on_for_instructors(
        lab, layout):
    instructor = set(labsettings.INSTRUCTOR_PLUGINS)
    assert instructor <= set(page_config(lab)["disabledExtensions"])
    assert status(f"{lab}/formgrader?token={TOKEN}") == 404
    server, url = start_server(layout, lab_command.instructor_env())
    try:
        assert not instructor & set(page_config(url)["disabledExtensions"])
        assert status(f"{url}/formgrader?token={TOKEN}") == 200
    finally:
        stop_server(server)


def test_link_report():
    """How many images and links of the notebooks and learner copies were checked."""
    if not LINKS:
        pytest.skip("no notebook was opened in this run")
    images = sum(i for i, _ in LINKS.values())
    links = sum(n for _, n in LINKS.values())
    print(f"\n{images} images and {links} links checked in {len(LINKS)} notebooks")
    assert images >= 5 and links > 0


def test_a_cell_run_before_the_setup_cell_shows_a_friendly_message(lab, page):
    """In JupyterLab itself: the kernel knows its notebook and the project's kernel
    explains a NameError before any setup cell ran; the full error is one click away."""
    page.goto(f"{lab}/lab/tree/learner/{LEARNER_COPY}?reset&token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=90_000)
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)
    index = page.evaluate("""() => {
      const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
      let code = 0;
      for (let i = 0; i < cells.length; i++)
        if (cells.get(i).type === 'code' && ++code === 2) return i;  // after the setup
    }""")
    page.evaluate("""(i) => {
      const nb = window.jupyterapp.shell.currentWidget;
      nb.content.activeCellIndex = i;
      return window.jupyterapp.commands.execute('notebook:run-cell');
    }""", index)
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    details = cell.locator(".jp-OutputArea details")
    details.wait_for(state="attached", timeout=60_000)
    text = cell.locator(".jp-OutputArea").inner_text()
    assert "⚠" in text and "Run All Above Selected Cell" in text, text
    assert "setup cell" in text or "earlier cell" in text, text
    full = details.locator("pre")
    assert not full.is_visible(), "the full error must start folded"
    assert "Traceback" not in text.replace(full.inner_text(), ""), text
    errors = cell.locator('[data-mime-type="application/vnd.jupyter.stderr"]')
    assert errors.count() == 1 and len(errors.inner_text().splitlines()) <= 4
    details.locator("summary").click()
    assert full.is_visible() and "NameError" in full.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    cell.screenshot(path=str(SHOTS / "friendly-error.png"))

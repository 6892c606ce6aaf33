"""Offline slides: a reveal.js deck per notebook that loads nothing from the network.

Every deck is built (slide metadata assigned by rule in a build copy), then read: any
``http(s)://`` script, stylesheet or CSS import fails, and so does a local file that is
not there. In headless chromium, with every non-file request blocked, each deck must
start (reveal.js, MathJax) without a script error or a remote request, and no slide may
hold more than fits on it. A screenshot of two slides per deck goes to screenshots/slides/.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest

from helpers.tools import slides, student

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = student.notebooks()
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "screenshots" / "slides"
REMOTE = re.compile(r"^\s*(?:https?:)?//", re.I)
# Both tests on one worker: the `decks` fixture may run `make slides-vendor` (npm install),
# and two workers running it at once in a fresh clone failed with npm's ENOTEMPTY.
pytestmark = pytest.mark.xdist_group("slides")


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    if slides.missing_vendor():
        subprocess.run(["make", "-s", "slides-vendor"], cwd=ROOT, check=True)
    root = tmp_path_factory.mktemp("decks")
    (root / "images").symlink_to(ROOT / "images")
    out = root / "slides"
    (out / "vendor").mkdir(parents=True)
    (out / "vendor" / "node_modules").symlink_to(ROOT / "slides" / "vendor" / "node_modules")
    return slides.build(NOTEBOOKS, out=out)


def test_a_deck_per_notebook(decks):
    assert [d.name for d in decks] == [f"{p.stem}.slides.html" for p in NOTEBOOKS]


def loaded_urls(html: str) -> list[str]:
    """Every script, stylesheet and CSS import a deck loads."""
    urls = re.findall(r"<script[^>]*\bsrc=[\"']([^\"']+)", html)
    urls += re.findall(r"<link[^>]*\bhref=[\"']([^\"']+)", html)
    urls += re.findall(r"@import\s+(?:url\()?[\"']?([^\"')\s;]+)", html)
    urls += re.findall(r"import\s+\w+\s+from\s+[\"']([^\"']+)", html)
    # require([...]) of the deck's own scripts
    urls += re.findall(r"\"([^\"]+\.js)\"", html.split("require(", 1)[-1][:2000])
    return urls


def test_no_deck_loads_anything_from_the_network(decks):
    for deck in decks:
        html = deck.read_text(encoding="utf-8")
        urls = loaded_urls(html)
        assert any("reveal.js" in u for u in urls) and any("MathJax" in u for u in urls)
        remote = [u for u in urls if REMOTE.match(u)]
        assert not remote, f"{deck.name} loads {remote}"
        assert "mermaid" not in html.split("<body", 1)[0], f"{deck.name}: mermaid import"
        for url in urls:
            if url.startswith(("data:", "#")):
                continue
            local = deck.parent / unquote(urlparse(url).path)
            assert local.exists(), f"{deck.name}: {url} is not in the build"


def test_stylesheets_import_nothing_remote(decks):
    """The theme's CSS (simple.css imports Google fonts; the deck uses white.css)."""
    html = decks[0].read_text(encoding="utf-8")
    for href in re.findall(r"<link[^>]*\bhref=[\"']([^\"']+\.css)", html):
        css = (decks[0].parent / href).read_text(encoding="utf-8")
        imports = re.findall(r"@import\s+(?:url\()?[\"']?([^\"')\s;]+)", css)
        assert not [i for i in imports if REMOTE.match(i)], f"{href} imports {imports}"


def test_slide_rules():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 01 · Title"),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_markdown_cell("## 1. A section"),
        nbformat.v4.new_code_cell("\n".join(f"y{i} = {i}" for i in range(40))),
        nbformat.v4.new_markdown_cell("### Exercise 1"),
        nbformat.v4.new_code_cell("def f(x):\n    return x", metadata={"tags": ["solution"]}),
        nbformat.v4.new_code_cell("check_f(f)"),
        nbformat.v4.new_markdown_cell("Long text.\n\n" * 40),
    ]
    built = slides.build_copy(nb)
    kind = {}
    for cell in built.cells:
        kind.setdefault(cell.source.split("\n", 1)[0], []).append(
            cell.metadata.slideshow.slide_type
        )
    assert kind["# 01 · Title"] == ["slide"] and kind["x = 1"] == ["-"]
    assert kind["## 1. A section"] == ["slide"]
    # 40 lines of code do not fit under a heading: a subslide, split in two
    assert kind["y0 = 0"] == ["subslide"] and len(kind["y21 = 21"]) == 1
    assert kind["### Exercise 1"] == ["subslide"]
    assert kind["def f(x):"] == ["skip"] and kind["check_f(f)"] == ["skip"]
    texts = [c for c in built.cells if c.source.startswith("Long text.")]
    assert len(texts) > 1, "a markdown cell taller than a slide is split"
    assert all(slides.estimate(c) <= slides.BUDGET for c in texts)
    assert all(c.metadata.slideshow.slide_type in {"subslide", "-"} for c in texts)
    table = "| a | b |\n| --- | --- |\n" + "\n".join(f"| {i} | x |" for i in range(40))
    chunks = slides._table_chunks([table])
    assert len(chunks) == 7 and all(c.startswith("| a | b |\n| --- |") for c in chunks)


def test_a_prediction_check_shows_what_was_predicted_without_code_or_verdict():
    nb = nbformat.v4.new_notebook()
    check = nbformat.v4.new_code_cell(
        "out = x.shape\nprint(out)\ncheck_prediction(guess, out, 'the shape')",
        outputs=[nbformat.v4.new_output("stream", name="stdout",
                                        text="(2, 2)\n✅ the shape: correct.\n")])
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 05 · Title"),
        nbformat.v4.new_markdown_cell("Predict the shape."),
        nbformat.v4.new_code_cell("guess = (2, 2)", metadata={"tags": ["solution"]}),
        check,
    ]
    built = slides.build_copy(nb)
    guess = next(c for c in built.cells if c.source.startswith("guess"))
    shown = next(c for c in built.cells if c.source.startswith("out ="))
    assert guess.metadata.slideshow.slide_type == "skip"  # the answer stays out
    assert shown.metadata.slideshow.slide_type != "skip"
    assert slides.HIDE_INPUT in shown.metadata.tags
    assert shown.outputs[0].text == "(2, 2)\n"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_every_deck_runs_offline_in_chromium_and_no_slide_overflows(decks):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    report = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        for deck in decks:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            remote, errors = [], []

            def route(r, remote=remote):
                if r.request.url.startswith(("file:", "data:")):
                    return r.continue_()
                remote.append(r.request.url)
                return r.abort()

            page.route("**/*", route)
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.goto(deck.as_uri())
            page.wait_for_selector(".reveal.ready", timeout=60_000)
            page.wait_for_function("() => window.MathJax && MathJax.isReady", timeout=60_000)
            prefix = f"{slides.VENDOR}/reveal.js/dist/reveal.js"
            page.evaluate(
                "(p) => new Promise(ok => require([p], R => { window.Reveal = R; ok(); }))",
                prefix,
            )
            # Visit every slide; one that needs more room than it has scrolls: count it.
            overflowing = page.evaluate(
                """() => {
                  Reveal.configure({ transition: 'none' });
                  const bad = [];
                  for (const s of Reveal.getSlides()) {
                    const i = Reveal.getIndices(s);
                    Reveal.slide(i.h, i.v || 0);
                    const c = Reveal.getCurrentSlide();
                    if (c.scrollHeight > c.clientHeight + 4)
                      bad.push([i.h, i.v || 0, c.scrollHeight, c.clientHeight]);
                  }
                  return bad;
                }"""
            )
            total = page.evaluate("() => Reveal.getTotalSlides()")
            for h, v in [(0, 0), (2, 0)]:
                page.evaluate(f"() => Reveal.slide({h}, {v})")
                page.wait_for_timeout(300)
                page.screenshot(path=str(SHOTS / f"{deck.stem}-{h}-{v}.png"))
            report.append(f"{deck.name}: {total} slides")
            context.close()
            assert not remote, f"{deck.name} asked the network for {remote}"
            assert not errors, f"{deck.name}: script errors {errors}"
            assert total >= 3
            assert not overflowing, f"{deck.name}: slides that overflow {overflowing}"
        browser.close()
    print("\n".join(report))
    assert len(report) == len(decks)
    assert os.listdir(SHOTS)

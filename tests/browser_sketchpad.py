"""The sketchpad of notebook 11 in a real JupyterLab (used by tests/test_browser.py):
strokes drawn with the mouse on its canvas and a photo uploaded through its button must
each change the probabilities and the maps; the time from the end of a stroke (or the
upload) to the new picture is reported."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

# The seconds from an event in a cell (a key press, the end of a stroke, a click) to a new
# picture in it: window.__latency (test_browser.WATCH too).
WATCH_EVENT = """(cell, event) => {
  if (window.__observer) window.__observer.disconnect();  // one watch at a time
  window.__t0 = null; window.__latency = null;
  const before = new Set([...cell.querySelectorAll('img')].map(i => i.src));
  const seen = () => {
    if (window.__t0 === null || window.__latency !== null) return;
    const now = [...cell.querySelectorAll('img')].map(i => i.src);
    if (now.length && now.some(s => !before.has(s)))
      window.__latency = performance.now() - window.__t0;
  };
  window.__observer = new MutationObserver(seen);
  window.__observer.observe(cell, {
    subtree: true, childList: true, attributes: true, attributeFilter: ['src'] });
  cell.addEventListener(event, () => {
    if (window.__t0 === null) window.__t0 = performance.now();
  }, { capture: true, once: true });
}"""
BARS = "table[aria-label='class probabilities']"


def _photo(folder: Path) -> Path:
    """A small PNG: a dark, shirt-like shape on white, as a product photo."""
    picture = np.full((90, 80, 3), 250, np.uint8)
    picture[10:80, 20:60] = (40, 50, 90)  # the body
    picture[10:35, 5:75] = (40, 50, 90)  # the sleeves
    path = folder / "my_shirt.png"
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def _stroke(page, box, points):
    page.mouse.move(box["x"] + points[0][0], box["y"] + points[0][1])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x, box["y"] + y, steps=4)
    page.mouse.up()


def _wait_for_new_picture(page) -> float:
    page.wait_for_function("() => window.__latency !== null", timeout=30_000)
    seconds = page.evaluate("() => window.__latency") / 1000
    page.wait_for_timeout(1000)  # the layers' maps follow: let them all arrive
    return seconds


def _map_pictures(cell) -> list[str]:
    """The sources of the feature maps' pictures (every picture but the input's)."""
    return cell.locator("img").evaluate_all("els => els.map(e => e.src)")[1:]


def draw_and_upload(page, cell, folder: Path) -> dict:
    """Two strokes and one upload on the sketchpad in `cell`; returns what each showed
    (the probabilities' text) and the seconds to the new picture."""
    canvas = cell.locator("canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    shown, seconds, maps = [], [], []
    strokes = [
        [(140, 30), (140, 250)],  # a long vertical bar, like a trouser leg
        [(40, 60), (240, 60), (240, 200), (40, 200), (40, 60)],  # a box around it
    ]
    for points in strokes:
        cell.evaluate(WATCH_EVENT, "mouseup")
        _stroke(page, box, points)
        seconds.append(_wait_for_new_picture(page))
        shown.append(cell.locator(BARS).inner_text())
        maps.append(_map_pictures(cell))
    cell.evaluate(WATCH_EVENT, "click")  # the upload button's click starts the clock
    with page.expect_file_chooser() as chooser:
        cell.locator("button.widget-upload, .widget-upload").first.click()
    chooser.value.set_files(str(_photo(folder)))
    seconds.append(_wait_for_new_picture(page))
    shown.append(cell.locator(BARS).inner_text())
    maps.append(_map_pictures(cell))
    message = cell.locator(".widget-html-content").filter(has_text="The model says")
    return {"shown": shown, "seconds": seconds, "maps": maps, "says": message.count()}

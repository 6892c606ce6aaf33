"""Offline reveal.js decks, one per notebook: ``python -m helpers.tools.slides [NN ...]``.

The lesson notebooks carry no slide metadata: a build copy gets it by rule, then
nbconvert's slides exporter writes ``slides/NN_name.slides.html`` (git-ignored).

Rules (``slide_types``):

- the title cell and every ``## `` heading start a slide; ``### `` headings a subslide;
- a cell that would push the current (sub)slide past ``BUDGET`` pixels (estimated from
  its lines and its figures' sizes) starts a subslide, so long cells do not overflow;
  a single cell taller than a slide scrolls inside it (``reveal_scroll`` and a height cap);
- answers stay out of the deck: exercise solutions, their checks and hints, the
  navigation cell and widget views (their static twins are figures) are skipped; the
  check cell of a prediction question shows its output (the figure or value predicted)
  without its code or verdict.

Nothing comes from the network: reveal.js 4.0.2, require.js, jQuery and MathJax 2.7.7 are
the npm registry's packages in ``slides/vendor/`` (``make slides-vendor``), linked by
relative paths, and the mermaid import nbconvert always emits is removed (no notebook
draws with mermaid).
"""

from __future__ import annotations

import base64
import copy
import re
import struct
import sys
from pathlib import Path

import nbformat

from helpers.tools import contents, student

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "slides"
VENDOR = "vendor/node_modules"
NEEDED = {
    "reveal.js": "reveal.js/dist/reveal.js",
    "requirejs": "requirejs/require.js",
    "jquery": "jquery/dist/jquery.min.js",
    "mathjax": "mathjax/MathJax.js",
}
WIDTH, HEIGHT = 1100, 760
BUDGET = 560  # estimated pixels of content per (sub)slide, under HEIGHT for the margins
LINE = {"markdown": 36, "code": 24, "output": 22}
WIDGET = "application/vnd.jupyter.widget-view+json"
HIDE_INPUT, SKIP = "slides-hide-input", "slides-skip"
SHOWN = "slides-prediction-shown"  # a prediction's check cell: its output is shown
CSS = """
<style>
/* a figure never taller than the slide; a cell taller than a slide scrolls inside it */
.reveal .slides section img { max-height: 500px !important; width: auto; max-width: 100%; }
.reveal .slides section section {
  max-height: 740px !important; overflow-y: auto !important; overflow-x: hidden;
}
.reveal .jp-OutputArea-output pre { font-size: 0.7em; line-height: 1.25; }
.reveal .jp-InputArea .highlight pre { font-size: 0.75em; line-height: 1.25; }
</style>
"""


def png_height(data: str, width_limit: int = WIDTH - 100) -> int:
    """Displayed height of a base64 PNG (scaled down when wider than the slide)."""
    raw = base64.b64decode(data[:100])
    if raw[:8] != b"\x89PNG\r\n\x1a\n":
        return 300
    width, height = struct.unpack(">II", raw[16:24])
    return int(min(500, height * min(1.0, width_limit / max(width, 1)))) + 20


def estimate(cell) -> int:
    """Estimated height of a cell on a slide, in pixels."""
    if cell.cell_type == "markdown":
        text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", cell.source)
        lines = sum(1 + len(line) // 80 for line in text.splitlines())
        images = len(re.findall(r"!\[[^\]]*\]\(", cell.source)) * 320
        return lines * LINE["markdown"] + images
    height = (len(cell.source.splitlines()) + 1) * LINE["code"]
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            height += len(out.text.splitlines()) * LINE["output"]
        elif "data" in out:
            if "image/png" in out.data:
                height += png_height(out.data["image/png"])
            elif "text/plain" in out.data:
                height += len(out.data["text/plain"].splitlines()) * LINE["output"]
    return height


def _skipped(nb) -> set[int]:
    """Cells kept out of the deck: answers, their checks and hints, navigation."""
    skip = {i for i, c in enumerate(nb.cells) if SKIP in c.metadata.get("tags", [])}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and student.TAG in cell.metadata.get("tags", []):
            skip.add(i)
            if i > 0 and student.is_hint(nb.cells[i - 1]):
                skip.add(i - 1)
            check = _check_cell(nb, i)
            if check is not None and check not in _prediction_checks(nb) \
                    and SHOWN not in nb.cells[check].metadata.get("tags", []):
                skip.add(check)
        if cell.cell_type == "markdown" and "<!-- nav" in cell.source.lower():
            skip.add(i)
    if nb.cells and nb.cells[-1].cell_type == "markdown" and "ipynb)" in nb.cells[-1].source:
        skip.add(len(nb.cells) - 1)  # the navigation links
    return skip


def _check_cell(nb, solution: int) -> int | None:
    """The index of the check cell after solution cell `solution` (the next code cell)."""
    return next((j for j in range(solution + 1, len(nb.cells))
                 if nb.cells[j].cell_type == "code"), None)


def _prediction_checks(nb) -> set[int]:
    """The check cells of prediction questions: they compute and show what was predicted
    (a figure, a shape), so the deck keeps their output, without the code."""
    return {_check_cell(nb, i) for i, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and student.TAG in cell.metadata.get("tags", [])
            and contents.is_prediction(nb, i)} - {None}


def slide_types(nb) -> list[str]:
    """A slide type per cell, by the rules in the module docstring."""
    skip = _skipped(nb)
    types = []
    used = BUDGET  # the first shown cell starts a slide
    for i, cell in enumerate(nb.cells):
        if i in skip:
            types.append("skip")
            continue
        height = estimate(cell)
        first_line = cell.source.lstrip().split("\n", 1)[0]
        if cell.cell_type == "markdown" and re.match(r"#{1,2} ", first_line) or i == 0:
            kind, used = "slide", height
        elif cell.cell_type == "markdown" and first_line.startswith("### "):
            kind, used = "subslide", height
        elif used + height > BUDGET:
            kind, used = "subslide", height
        else:
            kind, used = "-", used + height
        if not types or all(t == "skip" for t in types):
            kind = "slide"
        types.append(kind)
    return types


def _paragraphs(source: str) -> list[str]:
    """Markdown split at blank lines outside code fences and <details> blocks."""
    parts, current, fenced = [], [], False
    for line in source.splitlines():
        if line.strip().startswith(("```", "<details", "</details")):
            fenced = not fenced if line.strip().startswith("```") else fenced
        if not line.strip() and not fenced and current:
            parts.append("\n".join(current))
            current = []
        elif line.strip() or current:
            current.append(line)
    if current:
        parts.append("\n".join(current))
    return parts


def _table_chunks(paragraphs: list[str], rows: int = 6) -> list[str]:
    """A markdown table taller than a slide becomes tables of `rows` rows, same header."""
    out = []
    for paragraph in paragraphs:
        lines = paragraph.splitlines()
        table = [i for i, line in enumerate(lines) if line.lstrip().startswith("|")]
        if len(table) < 3 + rows or table[1] != table[0] + 1:
            out.append(paragraph)
            continue
        first = table[0]
        head, body = lines[first : first + 2], lines[first + 2 : table[-1] + 1]
        before, after = lines[:first], lines[table[-1] + 1 :]
        chunks = [body[i : i + rows] for i in range(0, len(body), rows)]
        out += ["\n".join([*before, *head, *chunks[0]])]
        out += ["\n".join([*head, *chunk]) for chunk in chunks[1:-1]]
        if len(chunks) > 1:
            out += ["\n".join([*head, *chunks[-1], *after])]
    return out


def _code_chunks(source: str) -> list[str]:
    """Code as parts that fit a slide: at blank lines between top-level blocks first."""
    most = BUDGET // LINE["code"] - 2
    blocks, current = [], []
    lines = source.splitlines()
    for i, line in enumerate(lines):
        current.append(line)
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if not line.strip() and following and not following.startswith((" ", "\t")):
            blocks.append(current)
            current = []
    blocks.append(current)
    parts: list[list[str]] = [[]]
    for block in blocks:
        if parts[-1] and len(parts[-1]) + len(block) > most:
            parts.append([])
        for start in range(0, len(block), most):  # a block longer than a slide
            if parts[-1] and len(parts[-1]) + len(block[start : start + most]) > most:
                parts.append([])
            parts[-1] += block[start : start + most]
    return ["\n".join(p).strip("\n") for p in parts if "".join(p).strip()]


def split_tall(nb):
    """Cells taller than a slide become several: paragraphs, or input then output."""
    cells = []
    for cell in nb.cells:
        if estimate(cell) <= BUDGET:
            cells.append(cell)
        elif cell.cell_type == "markdown" and "<details" not in cell.source:
            group: list[str] = []
            for paragraph in _table_chunks(_paragraphs(cell.source)):
                trial = nbformat.v4.new_markdown_cell("\n\n".join([*group, paragraph]))
                lead_in_only = len(group) == 1 and len(group[0]) < 60
                if group and not lead_in_only and estimate(trial) > BUDGET:
                    # a short lead-in ("**What you will learn**") stays with what follows
                    carry = [group.pop()] if len(group) > 1 and len(group[-1]) < 60 else []
                    cells.append(nbformat.v4.new_markdown_cell("\n\n".join(group)))
                    group = carry
                group.append(paragraph)
            cells.append(nbformat.v4.new_markdown_cell("\n\n".join(group)))
        elif cell.cell_type == "code":
            hidden = HIDE_INPUT in cell.metadata.get("tags", [])
            for n, part in enumerate([] if hidden else _code_chunks(cell.source)):
                source_only = copy.deepcopy(cell)
                source_only.source = part
                source_only.outputs = []
                source_only.id = f"{cell.get('id', 'cell')}-in{n}"[:64]
                cells.append(source_only)
            groups: list[list] = [[]] if cell.outputs else []
            for out in cell.outputs:  # outputs on as few subslides as fit
                trial = nbformat.v4.new_code_cell("", outputs=[*groups[-1], out])
                if groups[-1] and estimate(trial) > BUDGET:
                    groups.append([])
                groups[-1].append(out)
            for n, group in enumerate(groups):
                outputs_only = copy.deepcopy(cell)
                outputs_only.source = ""
                outputs_only.outputs = group
                outputs_only.id = f"{cell.get('id', 'cell')}-out{n}"[:64]
                if not hidden:
                    outputs_only.metadata.setdefault("tags", []).append(HIDE_INPUT)
                cells.append(outputs_only)
        else:
            cells.append(cell)
    nb.cells = cells
    return nb


def build_copy(nb):
    """A copy of `nb` with slide metadata, without widget views or answers."""
    nb = copy.deepcopy(nb)
    predictions = _prediction_checks(nb)
    for i, cell in enumerate(nb.cells):  # answers go before any splitting
        if i in _skipped(nb):
            cell.metadata.setdefault("tags", []).append(SKIP)
        elif i in predictions:  # what was predicted, shown; not the verdict, not the code
            cell.metadata.setdefault("tags", []).extend([HIDE_INPUT, SHOWN])
            for out in cell.outputs:
                if out.get("output_type") == "stream":
                    out.text = "".join(line for line in out.text.splitlines(True)
                                       if not line.startswith(("✅", "❌", "⏳")))
            cell.outputs = [out for out in cell.outputs
                            if out.get("output_type") != "stream" or out.text]
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.outputs:
            if "data" in out and WIDGET in out.data:
                continue  # a live control has no meaning in a static deck
            kept.append(out)
        cell.outputs = kept
    split_tall(nb)
    for cell, kind in zip(nb.cells, slide_types(nb), strict=True):
        cell.metadata["slideshow"] = {"slide_type": kind}
    return nb


def exporter():
    from nbconvert import SlidesExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    ex = SlidesExporter()
    ex.reveal_url_prefix = f"{VENDOR}/reveal.js"
    ex.require_js_url = f"{VENDOR}/{NEEDED['requirejs']}"
    ex.jquery_url = f"{VENDOR}/{NEEDED['jquery']}"
    ex.mathjax_url = f"{VENDOR}/{NEEDED['mathjax']}?config=TeX-AMS_CHTML-full,Safe"
    ex.mermaid_js_url = ""
    ex.reveal_scroll = True
    ex.reveal_theme = "white"  # its fonts are in the package (simple.css asks Google)
    ex.reveal_width = str(WIDTH)
    ex.reveal_height = str(HEIGHT)
    ex.exclude_input_prompt = True
    ex.exclude_output_prompt = True
    ex.register_preprocessor(
        TagRemovePreprocessor(remove_input_tags={HIDE_INPUT}, enabled=True), enabled=True
    )
    return ex


MERMAID = re.compile(r"<script type=\"module\">\s*import mermaid from[^<]*</script>", re.S)


def deck(path: Path) -> str:
    """The HTML of the deck of the notebook at `path`."""
    nb = build_copy(nbformat.read(path, as_version=4))
    html, _ = exporter().from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
    html, n = MERMAID.subn("", html)
    if n != 1:
        raise RuntimeError("nbconvert's mermaid import was not found: update MERMAID")
    return html.replace("</head>", f"{CSS}</head>", 1)


def missing_vendor(out: Path = OUT) -> list[str]:
    return [name for name, file in NEEDED.items() if not (out / VENDOR / file).exists()]


def build(paths: list[Path] | None = None, out: Path = OUT) -> list[Path]:
    missing = missing_vendor(out)
    if missing:
        raise FileNotFoundError(
            f"{', '.join(missing)} missing in {out / VENDOR}: run `make slides-vendor` "
            "(npm install from the npm registry)"
        )
    made = []
    for path in paths if paths is not None else student.notebooks():
        target = out / f"{path.stem}.slides.html"
        target.write_text(deck(path), encoding="utf-8")
        made.append(target)
        print(f"wrote   {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    return made


def main(argv: list[str]) -> int:
    paths = [p for p in student.notebooks() if not argv or p.name[:2] in argv]
    build(paths)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

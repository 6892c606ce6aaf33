"""The series as an offline HTML book: ``python -m helpers.tools.book`` (``make book``).

Built with Sphinx + myst-nb + sphinx-book-theme from the committed notebooks and their stored
outputs: nothing is executed. The steps:

1. `stage` copies the sources into ``build/book/src`` with the repository's layout (README.md,
   ``notebooks/*.ipynb``, ``notebooks/*.md``, ``images/``). In the copies, every widget view
   and its text repr (``interactive(children=...)``) is replaced by a short note that points to
   the widget's static twin, the figure just above it; 00 gets a hidden table of contents so
   the sidebar lists every page in order. A repository file that a page links to (e.g.
   ``../LICENSE``) is copied in, to become a download; a link to a folder becomes plain text.
   Each figure's alt text, which the notebook stores in its output's metadata
   (``{"image/png": {"alt": ...}}``, see `helpers.plots.show`), goes into its cell's
   ``mystnb.image.alt``: myst-nb 1.4 reads an image's alt from there only (from the output
   it takes width and height), and would otherwise use the image's file name.
2. Sphinx (configuration: ``helpers/tools/book/conf.py``) writes ``build/book/html``; 00 is the
   landing page and ``index.html`` sends a static host's visitors to it.
3. `audit` reads every page and fails on a script, stylesheet or image from the network, a
   broken internal link, anchor or image, an image whose alt text is missing or a file name,
   or a widget's text repr.
4. ``python -m helpers.tools.book axe`` runs axe-core on every page in chromium
   (`helpers.tools.book.accessibility`).

MathJax 3 and axe-core come from the npm registry into ``build/npm`` (``python -m
helpers.tools.book mathjax``, ``make mathjax``); MathJax is served from the book's
``_static/mathjax``: the book needs no network to show formulas.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[3]
CONFDIR = Path(__file__).resolve().parent
OUT = ROOT / "build" / "book"
NPM_PREFIX = ROOT / "build" / "npm"
MATHJAX_VERSION = "3.2.2"
MATHJAX = NPM_PREFIX / "node_modules" / "mathjax"
# Every npm package of the book, installed together (an npm install of one package prunes
# the others from the folder): MathJax for the formulas, axe-core for the accessibility
# check (helpers.tools.book.accessibility).
NPM_PACKAGES = {"mathjax": MATHJAX_VERSION, "axe-core": "4.14.1"}
# What the book serves of the MathJax package (its es5 folder holds 24 MB of bundles; the
# TeX-to-HTML bundle loads only these folders): _static/mathjax/<entry>.
MATHJAX_ENTRY = "tex-chtml.js"
MATHJAX_PARTS = ["tex-chtml.js", "input/tex", "output/chtml", "ui", "a11y", "sre", "adaptors"]
ROOT_DOC = "notebooks/00_start_here"

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# How far from a widget its static twin (an image output) may be, in cells, above or below.
TWIN_DISTANCE = 3
WIDGET_NOTE = (
    '<p class="widget-twin">Interactive in JupyterLab: run this notebook to move the '
    "controls. The figure {where} shows the same idea, drawn still.</p>"
)
# The text repr a widget leaves when it cannot be drawn: "interactive(children=(IntSlider(..."
WIDGET_REPR = re.compile(r"\b[A-Z]?[a-zA-Z]+\(children=\(")


def notebook_paths() -> list[Path]:
    """The numbered notebooks of the series, in order."""
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def guide_paths() -> list[Path]:
    """Markdown pages that live beside the notebooks (e.g. an instructor guide)."""
    return sorted((ROOT / "notebooks").glob("*.md"))


# ---- 1. staging ------------------------------------------------------------------------
def _has_image(cell) -> bool:
    return any(
        "image/png" in out.get("data", {}) or "image/svg+xml" in out.get("data", {})
        for out in cell.get("outputs", [])
    )


def twin_direction(cells, index: int) -> str | None:
    """'above' or 'below': where the nearest figure to cell `index` is, None if none near."""
    for distance in range(1, TWIN_DISTANCE + 1):
        if index - distance >= 0 and _has_image(cells[index - distance]):
            return "above"
        if index + distance < len(cells) and _has_image(cells[index + distance]):
            return "below"
    return None


def carry_alt_text(cell, where: str = "cell") -> list[str]:
    """Copy the alt text of `cell`'s figure from its output's metadata into the cell's
    ``mystnb.image.alt``, where myst-nb reads it; return the problems found.

    A figure without alt text, or two figures in one cell (myst-nb takes one alt per
    cell), is a problem.
    """
    figures = [out for out in cell.get("outputs", []) if "image/png" in out.get("data", {})]
    if not figures:
        return []
    alts = [out.get("metadata", {}).get("image/png", {}).get("alt") for out in figures]
    problems = [f"{where}: a figure without alt text (show it with helpers.plots.show)"
                for alt in alts if not alt]
    if len(figures) > 1:
        problems.append(f"{where}: {len(figures)} figures in one cell, but the book gives "
                        "one alt text per cell: split the cell")
    if alts[0]:
        options = cell.metadata.setdefault("mystnb", {}).setdefault("image", {})
        options["alt"] = alts[0]
    return problems


def prepare_notebook(nb, name: str = "notebook") -> tuple[nbformat.NotebookNode, list[str]]:
    """A copy of `nb` for the book, and the problems found.

    Each output holding a widget view (with its ``text/plain`` repr) becomes the note
    `WIDGET_NOTE`, which points to the widget's static twin: the nearest cell with a figure,
    at most `TWIN_DISTANCE` cells above or below. A widget without one is a problem (the
    note would not be true). The saved widget state goes. Each figure's alt text goes
    where myst-nb reads it (`carry_alt_text`).
    """
    nb = copy.deepcopy(nb)
    problems = []
    nb.metadata.pop("widgets", None)
    for index, cell in enumerate(nb.cells):
        problems += carry_alt_text(cell, f"{name} cell {index}")
    for index, cell in enumerate(nb.cells):
        outputs = cell.get("outputs", [])
        if not any(WIDGET_VIEW in out.get("data", {}) for out in outputs):
            continue
        kept = [o for o in outputs if WIDGET_VIEW not in o.get("data", {})]
        kept = [o for o in kept if not (o.output_type == "stream" and not o.text.strip())]
        where = twin_direction(nb.cells, index)
        if where is None:
            problems.append(
                f"{name} cell {index}: a widget without a static twin (no figure within "
                f"{TWIN_DISTANCE} cells of it)"
            )
            where = "nearby"
        note = WIDGET_NOTE.format(where=where)
        kept.append(nbformat.v4.new_output("display_data", data={"text/html": note}))
        cell.outputs = kept
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if WIDGET_STATE in out.get("data", {}):
                del out.data[WIDGET_STATE]
    return nb, problems


def _toctree(entries: list[str]) -> str:
    lines = "\n".join(entries)
    return f"```{{toctree}}\n:hidden:\n:maxdepth: 1\n\n{lines}\n```"


def _repo_target(source: Path, target: str) -> Path | None:
    """The repository path a relative link of the repository file `source` names, if any."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = (source.parent / unquote(parts.path)).resolve()
    return path if path.is_relative_to(ROOT) and path.exists() else None


def link_folders_as_text(text: str, source: Path) -> str:
    """`text` with each link to a repository folder (``[helpers](../helpers/)``) made plain
    text: a website has no page for a folder. Links to files are kept."""
    from helpers.tools.links import INLINE

    def plain(match):
        target = _repo_target(source, match.group(3).strip("<>"))
        if target is not None and target.is_dir() and not match.group(1):
            return match.group(2)
        return match.group(0)

    return INLINE.sub(plain, text)


def copy_linked_files(src: Path) -> None:
    """Copy into `src` every repository file a staged page links to but the book lacks
    (e.g. ``../LICENSE``), so the link becomes a download instead of a broken link."""
    from helpers.tools.links import links_in

    for staged in [src / "README.md", *sorted((src / "notebooks").iterdir())]:
        if staged.suffix not in (".md", ".ipynb"):
            continue
        original = ROOT / staged.relative_to(src)
        for link in links_in(staged):
            target = _repo_target(original, link.target)
            if target is None or not target.is_file():
                continue
            copy = src / target.relative_to(ROOT)
            if not copy.exists():
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(target, copy)


def stage(src: Path) -> list[str]:
    """Write the book's sources into `src` (emptied first); return the problems found."""
    if src.exists():
        shutil.rmtree(src)
    (src / "notebooks").mkdir(parents=True)
    shutil.copytree(ROOT / "images", src / "images")
    readme = ROOT / "README.md"
    (src / "README.md").write_text(link_folders_as_text(readme.read_text(), readme))
    problems = []
    notebooks = notebook_paths()
    if not notebooks or not notebooks[0].name.startswith("00_"):
        problems.append("no notebooks/00_*.ipynb to be the landing page")
    for path in notebooks:
        nb, found = prepare_notebook(nbformat.read(path, as_version=4), path.name)
        problems += found
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = link_folders_as_text(cell.source, path)
        if path == notebooks[0]:
            pages = [p.stem for p in notebooks[1:]]
            pages += [p.stem for p in guide_paths()]
            pages.append("About the repository (README) </README>")
            nb.cells.append(nbformat.v4.new_markdown_cell(_toctree(pages)))
        nbformat.write(nb, src / "notebooks" / path.name)
    for path in guide_paths():
        (src / "notebooks" / path.name).write_text(link_folders_as_text(path.read_text(), path))
    copy_linked_files(src)
    return problems


# ---- MathJax from the npm registry -------------------------------------------------------
def npm_installed(name: str) -> bool:
    """True when the npm package `name`, at its version in `NPM_PACKAGES`, is in
    ``build/npm``."""
    package = NPM_PREFIX / "node_modules" / name / "package.json"
    return package.exists() and f'"version": "{NPM_PACKAGES[name]}"' in package.read_text()


def mathjax_installed() -> bool:
    """True when MathJax `MATHJAX_VERSION` is in ``build/npm``."""
    return npm_installed("mathjax")


def install_mathjax() -> Path:
    """``npm install`` the book's `NPM_PACKAGES` (MathJax, axe-core) into ``build/npm``
    (git-ignored), all at once, when one is missing."""
    if not all(npm_installed(name) for name in NPM_PACKAGES):
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError(
                "npm is needed once to fetch MathJax and axe-core for the book: install "
                "Node.js (Debian: apt-get install npm), then run `make mathjax`"
            )
        NPM_PREFIX.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund",
             "--prefix", str(NPM_PREFIX),
             *(f"{name}@{version}" for name, version in NPM_PACKAGES.items())],
            check=True,
        )
    return MATHJAX


def stage_mathjax(static: Path) -> Path:
    """Copy the parts of MathJax the book loads into `static`/mathjax."""
    if not mathjax_installed():
        raise RuntimeError(
            f"MathJax {MATHJAX_VERSION} is not in {NPM_PREFIX.relative_to(ROOT)}: "
            "run `make mathjax` (needs npm and the npm registry, once)"
        )
    target = static / "mathjax"
    if target.exists():
        shutil.rmtree(target)
    for part in MATHJAX_PARTS:
        origin = MATHJAX / "es5" / part
        if origin.is_dir():
            shutil.copytree(origin, target / part)
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, target / part)
    return target


# ---- 2. Sphinx ---------------------------------------------------------------------------
REDIRECT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>CNNs from first principles</title>
<meta http-equiv="refresh" content="0; url={target}">
</head><body><p><a href="{target}">CNNs from first principles: start here</a></p></body></html>
"""


def build(out: Path = OUT, quiet: bool = True) -> dict:
    """Stage, build and audit the book in `out`; return what happened.

    Returns a dict with ``html`` (the site's folder), ``seconds``, ``pages``,
    ``warnings`` (Sphinx's, as text lines) and ``problems`` (staging and audit).
    """
    from sphinx.cmd.build import build_main

    start = time.perf_counter()
    out = Path(out)
    src, html, static = out / "src", out / "html", out / "static"
    problems = stage(src)
    stage_mathjax(static)
    if html.exists():
        shutil.rmtree(html)
    warnings_file = out / "warnings.txt"
    argv = ["-b", "html", "-c", str(CONFDIR), "-d", str(out / "doctrees"), "-E",
            "-w", str(warnings_file), "-D", f"html_static_path={CONFDIR / '_static'},{static}"]
    if quiet:
        argv.append("-q")
    status = build_main([*argv, str(src), str(html)])
    if status != 0:
        problems.append(f"sphinx-build exited with {status}")
    target = f"{ROOT_DOC}.html"
    (html / "index.html").write_text(REDIRECT.format(target=target))
    from helpers.tools.book.audit import audit

    problems += audit(html)
    warnings = [
        line for line in warnings_file.read_text().splitlines() if "WARNING" in line
    ] if warnings_file.exists() else []
    pages = sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                   if not p.relative_to(html).as_posix().startswith(("_", "genindex",
                                                                    "search")))
    return {
        "html": html,
        "seconds": time.perf_counter() - start,
        "pages": pages,
        "warnings": warnings,
        "problems": problems,
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["mathjax"]:
        install_mathjax()
        for name, version in NPM_PACKAGES.items():
            print(f"{name} {version}: {(NPM_PREFIX / 'node_modules' / name).relative_to(ROOT)}")
        return 0
    if argv[:1] == ["axe"]:
        from helpers.tools.book import accessibility

        return accessibility.main(argv[1:])
    out = Path(argv[0]) if argv else OUT
    result = build(out)
    for line in result["warnings"]:
        print(line)
    for problem in result["problems"]:
        print("PROBLEM:", problem)
    where = result["html"] / "index.html"
    print(
        f"book: {len(result['pages'])} pages in {result['seconds']:.1f} s, "
        f"{len(result['warnings'])} Sphinx warnings, {len(result['problems'])} problems; "
        f"open {where.relative_to(ROOT) if where.is_relative_to(ROOT) else where}"
    )
    return 1 if result["problems"] else 0

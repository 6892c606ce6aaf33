"""Check the links of every notebook and markdown file: ``python -m helpers.tools.links``.

Internal links (``[text](01_convolution_by_hand.ipynb)``, ``../README.md#two-commands``),
images (``![x](../images/conv_step.png)``, ``<img src=...>``) and anchors (``#section``,
matched against the target's headings in GitHub's, JupyterLab's and MyST's spelling, and its
``id``/``name`` attributes) must resolve. External links (http, https) are listed with
``--external``, never fetched. Links inside code (fenced blocks, `code spans`) and HTML
comments are not links. Exits 1 and prints ``file (where): problem`` for each broken one.

With file arguments only those files' links are checked (pre-commit passes the changed
ones); with none, every ``*.md`` and ``*.ipynb`` of the repository (not .venv, build,
student and other generated folders).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "venv", "build", "student", "node_modules", ".git",
             ".ipynb_checkpoints", ".pytest_cache", ".ruff_cache", ".hypothesis", ".bench",
             "models", "grading", "slides", "nbgrader"}

FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,}).*?^\1\2[`~]*[ \t]*$", re.M | re.S)
CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
COMMENT = re.compile(r"<!--.*?-->", re.S)
# [text](dest "title") and ![alt](dest); text may hold one level of [brackets].
INLINE = re.compile(
    r"(!?)\[((?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\]\(\s*(<[^>]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"
)
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?", re.M)
HTML_LINK = re.compile(r"<(a|img|source)\b[^>]*?\b(href|src)\s*=\s*([\"'])(.*?)\3", re.I | re.S)
AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
BARE_URL = re.compile(r"\bhttps?://[^\s<>()\[\]\"'`]+[^\s<>()\[\]\"'`.,;:!?]")
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$", re.M)
HTML_ID = re.compile(r"\b(?:id|name)\s*=\s*[\"']([^\"']+)[\"']", re.I)


@dataclass(frozen=True)
class Link:
    source: Path  # the file the link is in
    where: str  # "line 12" or "cell 3"
    target: str  # as written
    image: bool


# ---- reading files -----------------------------------------------------------------------
def markdown_parts(path: Path) -> list[tuple[str, str]]:
    """(where, markdown text) pairs: a markdown file whole, a notebook's markdown cells."""
    path = Path(path)
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        return [
            (f"cell {i}", "".join(c["source"]) if isinstance(c["source"], list) else c["source"])
            for i, c in enumerate(cells)
            if c.get("cell_type") == "markdown"
        ]
    return [("", path.read_text(encoding="utf-8"))]


def _blank(match: re.Match) -> str:
    """The match with every character but newlines replaced by spaces (keeps line numbers)."""
    return re.sub(r"[^\n]", " ", match.group(0))


def strip_code(text: str) -> str:
    """`text` without fenced code, code spans and HTML comments (same line numbers)."""
    for pattern in (FENCE, COMMENT, CODE_SPAN):
        text = pattern.sub(_blank, text)
    return text


def links_in(path: Path) -> list[Link]:
    """Every link and image of the file at `path`."""
    found = []
    for where, text in markdown_parts(path):
        text = strip_code(text)

        def place(offset: int, where=where, text=text) -> str:
            line = text.count("\n", 0, offset) + 1
            return f"{where}, line {line}" if where else f"line {line}"

        for m in INLINE.finditer(text):
            target = m.group(3).strip("<>")
            found.append(Link(path, place(m.start()), target, bool(m.group(1))))
        for m in REFERENCE.finditer(text):
            found.append(Link(path, place(m.start()), m.group(1), False))
        for m in HTML_LINK.finditer(text):
            found.append(Link(path, place(m.start()), m.group(4), m.group(1).lower() != "a"))
        for m in AUTOLINK.finditer(text):
            found.append(Link(path, place(m.start()), m.group(1), False))
        for m in BARE_URL.finditer(text):  # GitHub and JupyterLab make these links too
            found.append(Link(path, place(m.start()), m.group(0), False))
    return found


# ---- anchors -----------------------------------------------------------------------------
def _plain(heading: str) -> str:
    """A heading's text as rendered: no links' targets, no emphasis or code marks."""
    heading = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    heading = re.sub(r"<[^>]+>", "", heading)
    return heading.replace("`", "").replace("**", "").replace("__", "").strip()


def github_slug(text: str) -> str:
    """GitHub's (and MyST's) anchor of a heading: lower case, punctuation out, '-' for ' '."""
    text = _plain(text).lower()
    text = "".join(
        ch for ch in text
        if ch in " -_" or unicodedata.category(ch)[0] in "LN"
    )
    return text.replace(" ", "-")


def jupyter_slug(text: str) -> str:
    """JupyterLab's anchor of a heading: the text with '-' for ' ' (case and marks kept)."""
    return _plain(text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every anchor a link may name in the file at `path`."""
    found: set[str] = set()
    counts: dict[str, int] = {}
    for _, text in markdown_parts(path):
        for m in HTML_ID.finditer(COMMENT.sub("", text)):
            found.add(m.group(1))
        for m in HEADING.finditer(FENCE.sub(_blank, text)):
            slug = github_slug(m.group(2))
            n = counts.get(slug, 0)
            counts[slug] = n + 1
            found.add(slug if n == 0 else f"{slug}-{n}")
            found.add(jupyter_slug(m.group(2)))
    return found


# ---- checking ----------------------------------------------------------------------------
def is_external(target: str) -> bool:
    return urlsplit(target).scheme in ("http", "https") or target.startswith("//")


def problem(link: Link, cache: dict[Path, set[str]]) -> str | None:
    """What is wrong with `link`, or None when it resolves (or is not checked)."""
    parts = urlsplit(link.target)
    if is_external(link.target) or parts.scheme or not link.target:
        return None if link.target else "empty link"
    path = unquote(parts.path)
    target = (link.source.parent / path).resolve() if path else link.source.resolve()
    if not target.exists():
        kind = "image" if link.image else "link"
        return f"broken {kind} {link.target} (no {_shown(target)})"
    if link.image and not target.is_file():
        return f"image {link.target} is not a file"
    fragment = unquote(parts.fragment)
    if fragment and target.suffix in (".md", ".ipynb"):
        if target not in cache:
            cache[target] = anchors(target)
        if fragment not in cache[target]:
            return f"link {link.target}: no heading or id #{fragment} in {target.name}"
    return None


def _shown(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def ignored_dirs(root: Path = ROOT) -> set[str]:
    """`SKIP_DIRS` and the folders .gitignore names (``name/`` lines): generated, not ours."""
    gitignore = root / ".gitignore"
    lines = gitignore.read_text().splitlines() if gitignore.exists() else []
    named = {
        line.strip().strip("/")
        for line in lines
        if line.strip().endswith("/") and not line.startswith("#") and "*" not in line
    }
    return SKIP_DIRS | {n for n in named if "/" not in n}


def default_files(root: Path = ROOT) -> list[Path]:
    """Every markdown file and notebook of the repository, generated folders excepted."""
    files = []
    skip = ignored_dirs(root)
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in skip)
        files += [Path(folder) / n for n in names if n.endswith((".md", ".ipynb"))]
    return sorted(files)


def check(files: list[Path]) -> tuple[list[str], list[str]]:
    """(problems, external links) of `files`."""
    problems, external, cache = [], set(), {}
    for path in files:
        for link in links_in(path):
            if is_external(link.target):
                external.add(link.target)
                continue
            found = problem(link, cache)
            if found:
                problems.append(f"{_shown(link.source.resolve())} ({link.where}): {found}")
    return problems, sorted(external)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--external", action="store_true", help="list external links")
    args = parser.parse_args(argv)
    files = [f for f in args.files if f.suffix in (".md", ".ipynb")] or (
        [] if args.files else default_files()
    )
    problems, external = check(files)
    if args.external:
        for url in external:
            print("external (not fetched):", url)
    for line in problems:
        print(line)
    print(
        f"links: {len(files)} files, {len(problems)} broken, "
        f"{len(external)} external (not fetched)"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""Read every page of a built book and name what would break offline or mislead a reader.

`audit(html_dir)` returns problems (strings), none when the book is sound:

- a script, stylesheet, font, image or frame loaded from the network (``http(s)://`` or
  ``//host``), in a page or in a served CSS file (``url(...)``, ``@import``);
- an internal link to a file that is not in the book, or to an anchor the target page lacks;
- an image whose file is not in the book;
- an image without alt text, or whose alt text is a file name (what a screen reader would
  read aloud instead of what the figure shows);
- a widget's text repr (``interactive(children=(IntSlider(...``) instead of its static twin.

`external_links(html_dir)` lists the links to the network (shown, never fetched).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

REMOTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//")
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""")
WIDGET_REPR = re.compile(r"\b[A-Za-z]+\(children=\(")
# An alt text that is a path or a file name ("../_images/4638d5cb.png").
FILE_NAME = re.compile(r"^\S*\.(?:png|jpe?g|gif|svg|webp)$", re.I)
# Loaders: anything these tags fetch is needed to draw the page.
LOADS = {
    ("script", "src"),
    ("img", "src"),
    ("iframe", "src"),
    ("source", "src"),
    ("video", "src"),
    ("audio", "src"),
    ("embed", "src"),
    ("object", "data"),
}
STYLE_RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut", "manifest"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.loads: list[tuple[str, str]] = []  # (tag, url)
        self.links: list[str] = []
        self.alts: list[tuple[str, str | None]] = []  # (src, alt) of every <img>
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.ids.add(attrs[key])
        for t, attr in LOADS:
            if tag == t and attrs.get(attr):
                self.loads.append((tag, attrs[attr]))
        if tag == "img":
            self.alts.append((attrs.get("src") or "", attrs.get("alt")))
        if tag == "img" and attrs.get("srcset"):
            for part in attrs["srcset"].split(","):
                if part.strip():
                    self.loads.append(("img", part.split()[0]))
        if tag == "link" and attrs.get("href"):
            rels = set((attrs.get("rel") or "").lower().split())
            if rels & STYLE_RELS:
                self.loads.append(("link", attrs["href"]))
        if tag == "a" and attrs.get("href") is not None:
            self.links.append(attrs["href"])
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def _local_target(page: Path, url: str) -> tuple[Path, str] | None:
    """(file, fragment) that a relative `url` of `page` points to, or None if not local."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith("//"):
        return None
    path = unquote(parts.path)
    if not path:
        return page, parts.fragment
    target = (page.parent / path).resolve()
    if target.is_dir():
        target = target / "index.html"
    return target, parts.fragment


def _is_static(html_dir: Path, path: Path) -> bool:
    """Theme templates copied into _static are not pages."""
    return path.relative_to(html_dir).parts[0] == "_static"


def audit(html_dir: Path) -> list[str]:
    """Problems in the book built in `html_dir` (see the module docstring)."""
    html_dir = Path(html_dir).resolve()
    problems = []
    pages = [p for p in sorted(html_dir.rglob("*.html")) if not _is_static(html_dir, p)]
    parsed = {p.resolve(): _parse(p) for p in pages}
    for path, page in parsed.items():
        name = path.relative_to(html_dir).as_posix()
        inline = path.read_text(encoding="utf-8", errors="replace")
        for tag, url in page.loads:
            if REMOTE.match(url):
                problems.append(f"{name}: <{tag}> loads {url} from the network")
                continue
            if url.startswith("data:"):
                continue
            target = _local_target(path, url)
            if target and not target[0].exists():
                problems.append(f"{name}: <{tag}> {url} is not in the book")
        for style in re.findall(r"<style[^>]*>(.*?)</style>", inline, re.S):
            for url in CSS_URL.findall(style):
                if REMOTE.match(url):
                    problems.append(f"{name}: inline style loads {url} from the network")
        for url in page.links:
            if not url or url.startswith(("mailto:", "javascript:", "tel:")):
                continue
            target = _local_target(path, url)
            if target is None:
                continue
            file, fragment = target
            if not file.exists():
                problems.append(f"{name}: broken link {url}")
            elif fragment and file.suffix == ".html":
                ids = parsed[file].ids if file in parsed else _parse(file).ids
                if unquote(fragment) not in ids:
                    problems.append(f"{name}: link {url}: no anchor #{fragment} there")
        for src, alt in page.alts:
            if alt is None or not alt.strip() or FILE_NAME.match(alt.strip()):
                problems.append(f"{name}: <img {src}> has alt {alt!r}: say what it shows")
        text = " ".join(page.text)
        match = WIDGET_REPR.search(text)
        if match:
            around = text[match.start() : match.start() + 60]
            problems.append(f"{name}: a widget's text repr: {around!r}")
    for css in sorted(html_dir.rglob("*.css")):
        for url in CSS_URL.findall(css.read_text(encoding="utf-8", errors="replace")):
            if REMOTE.match(url):
                name = css.relative_to(html_dir).as_posix()
                problems.append(f"{name}: loads {url} from the network")
    return problems


def external_links(html_dir: Path) -> list[str]:
    """Every distinct http(s) link of the book's pages (listed, not fetched)."""
    found = set()
    for path in Path(html_dir).rglob("*.html"):
        for url in _parse(path).links:
            if REMOTE.match(url):
                found.add(url)
    return sorted(found)

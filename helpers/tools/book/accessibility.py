"""axe-core over every page of the built book, in a real browser: ``python -m
helpers.tools.book axe [html_dir]``.

axe-core (`AXE_VERSION`, from the npm registry into ``build/npm`` by ``make mathjax``,
never from a CDN) is injected into each page, opened from disk in Debian's chromium
(driven by playwright, with the network cut off), and run with the WCAG 2 A and AA rules.
A page passes when axe finds no violation of impact "serious" or "critical".

`audit_pages(html_dir)` returns ``{page: [violation, ...]}`` (axe's own dicts, trimmed to
what a report needs); `blocking(found)` keeps the serious and critical ones.
"""

from __future__ import annotations

import sys
from pathlib import Path

from helpers.tools.book import NPM_PACKAGES, NPM_PREFIX, OUT, npm_installed

AXE_VERSION = NPM_PACKAGES["axe-core"]
AXE = NPM_PREFIX / "node_modules" / "axe-core"
CHROMIUM = Path("/usr/bin/chromium")
# The WCAG 2.0 level A and AA rules of axe (its tags), nothing experimental.
OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}}
BLOCKING = ("serious", "critical")


def axe_installed() -> bool:
    """True when axe-core `AXE_VERSION` is in ``build/npm``."""
    return npm_installed("axe-core")


def book_pages(html_dir: Path) -> list[Path]:
    """Every page a reader can open: the notebooks, the guide, the README (not the
    search and index pages Sphinx adds, nor the theme's templates)."""
    html_dir = Path(html_dir)
    return sorted(
        p for p in html_dir.rglob("*.html")
        if p.relative_to(html_dir).parts[0] not in ("_static", "_sources")
        and p.name not in ("index.html", "genindex.html", "search.html")
    )


def _trim(violation: dict) -> dict:
    return {
        "id": violation["id"],
        "impact": violation["impact"],
        "help": violation["help"],
        "nodes": len(violation["nodes"]),
        "targets": [" ".join(map(str, n["target"])) for n in violation["nodes"][:3]],
    }


def audit_pages(html_dir: Path = OUT / "html", pages=None, dark: bool = False) -> dict:
    """{page (relative to `html_dir`): [violation, ...]} for every page of the book.

    Parameters
    ----------
    html_dir : the built book's folder (``build/book/html``)
    pages : list of Path or None
        Only these pages (default: `book_pages`).
    dark : bool
        Switch the theme to its dark mode first (the reader's choice; light is the
        default).
    """
    from playwright.sync_api import sync_playwright

    if not axe_installed():
        raise RuntimeError(f"axe-core {AXE_VERSION} is not in {NPM_PREFIX}: run "
                           "`make mathjax` (npm registry, once)")
    html_dir = Path(html_dir)
    pages = book_pages(html_dir) if pages is None else pages
    found = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1000})
            context.route("**/*", lambda route: route.continue_()
                          if route.request.url.startswith("file:") else route.abort())
            tab = context.new_page()
            for page in pages:
                tab.goto(page.as_uri())
                tab.wait_for_load_state("load")
                # MathJax typesets after the load event: wait until it is done.
                tab.evaluate("() => window.MathJax && MathJax.startup"
                             " && MathJax.startup.promise")
                if dark:
                    tab.evaluate("() => document.documentElement.dataset.theme = 'dark'")
                tab.add_script_tag(path=str(AXE / "axe.min.js"))
                result = tab.evaluate("options => axe.run(document, options)", OPTIONS)
                name = page.relative_to(html_dir).as_posix()
                found[name] = [_trim(v) for v in result["violations"]]
        finally:
            browser.close()
    return found


def blocking(found: dict) -> dict:
    """The serious and critical violations of `audit_pages`'s result, per page."""
    return {page: [v for v in vs if v["impact"] in BLOCKING] for page, vs in found.items()}


def report(found: dict) -> str:
    """One line per page (violations by impact), then each serious or critical one."""
    lines = []
    for page, violations in found.items():
        counts = {}
        for v in violations:
            counts[v["impact"]] = counts.get(v["impact"], 0) + v["nodes"]
        summary = ", ".join(f"{n} {impact}" for impact, n in sorted(counts.items()))
        lines.append(f"{page}: {summary or 'no violations'}")
        for v in violations:
            if v["impact"] in BLOCKING:
                lines.append(f"    {v['impact']} {v['id']} x{v['nodes']}: {v['help']} "
                             f"(e.g. {', '.join(v['targets'])})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    html_dir = Path(argv[0]) if argv else OUT / "html"
    found = audit_pages(html_dir)
    print(report(found))
    failing = {page: vs for page, vs in blocking(found).items() if vs}
    print(f"axe-core {AXE_VERSION}, WCAG 2 A and AA: {len(found)} pages, "
          f"{len(failing)} with serious or critical violations")
    return 1 if failing else 0

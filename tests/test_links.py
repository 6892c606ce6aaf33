"""Links: every internal link, image and anchor of every notebook and markdown file resolves.

External links are listed (never fetched). The checker itself is tried on small files made
here, with links that must be found broken and links that must pass.
"""

from __future__ import annotations

import json

import pytest

from helpers.tools import links


def test_every_link_of_the_repository_resolves():
    files = links.default_files()
    names = {p.name for p in files}
    assert "README.md" in names and "00_start_here.ipynb" in names, names
    assert not any(".venv" in p.parts or "build" in p.parts for p in files)
    problems, external = links.check(files)
    assert problems == [], "\n".join(problems)
    for url in external:
        assert url.startswith(("http://", "https://")) and "." in url.split("/")[2], url


def test_navigation_links_are_checked():
    """The notebooks' prev / contents / next links are among the links checked."""
    found = links.links_in(links.ROOT / "notebooks" / "01_convolution_by_hand.ipynb")
    assert "00_start_here.ipynb" in {link.target for link in found}


def notebook(path, *markdown):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": text} for text in markdown]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}))
    return path


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "pic.png").write_bytes(b"png")
    (tmp_path / "notebooks").mkdir()
    notebook(
        tmp_path / "notebooks" / "01_one.ipynb",
        "# 01 · One\n\n## 2. Padding, stride: the `formula`\n\n<a id='here'></a>",
    )
    (tmp_path / "GUIDE.md").write_text("# Guide\n\n## Two commands\n\n## Two commands\n")
    return tmp_path


def broken(folder, text, name="notebooks/02_two.ipynb"):
    path = folder / name
    if path.suffix == ".ipynb":
        notebook(path, text)
    else:
        path.write_text(text)
    return links.check([path])[0]


@pytest.mark.parametrize(
    "text",
    [
        "[next](01_one.ipynb)",
        "![pic](../images/pic.png)",
        '<img src="../images/pic.png" width="200">',
        "[guide](../GUIDE.md#two-commands)",
        "[second of two](../GUIDE.md#two-commands-1)",
        "[github anchor](01_one.ipynb#2-padding-stride-the-formula)",
        "[jupyter anchor](01_one.ipynb#2.-Padding,-stride:-the-formula)",
        "[html id](01_one.ipynb#here)",
        "[self](#a-heading)\n\n## A heading",
        "[x][ref]\n\n[ref]: 01_one.ipynb",
        "[with title](01_one.ipynb \"title\")",
        "[outside](https://example.org/missing.ipynb)",
        "`[in code](missing.ipynb)`",
        "```\n[in a fence](missing.ipynb)\n```",
        "<!-- [in a comment](missing.ipynb) -->",
        "[mail](mailto:someone@example.org)",
    ],
)
def test_good_links_pass(folder, text):
    assert broken(folder, text) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[next](03_three.ipynb)", "broken link 03_three.ipynb"),
        ("![pic](../images/nope.png)", "broken image ../images/nope.png"),
        ('<img src="images/pic.png">', "broken image images/pic.png"),
        ("![a folder](../images)", "is not a file"),
        ("[guide](../GUIDE.md#three-commands)", "no heading or id #three-commands"),
        ("[anchor](01_one.ipynb#padding)", "no heading or id #padding"),
        ("[self](#nowhere)", "no heading or id #nowhere"),
        ("[x][ref]\n\n[ref]: gone.md", "broken link gone.md"),
        ('<a href="../GUIDE.mdx">guide</a>', "broken link ../GUIDE.mdx"),
    ],
)
def test_broken_links_are_found(folder, text, expected):
    problems = broken(folder, text)
    assert len(problems) == 1 and expected in problems[0], problems
    assert "02_two.ipynb (cell 0, line" in problems[0]


def test_markdown_files_report_line_numbers(folder):
    problems = broken(folder, "# Title\n\ntext\n\n[gone](gone.md)\n", name="README.md")
    assert len(problems) == 1 and "README.md (line 5): broken link gone.md" in problems[0]


def test_external_links_are_listed_not_fetched(folder, monkeypatch):
    import urllib.request

    def no_network(*args, **kwargs):
        raise AssertionError("the link check must not fetch anything")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    path = notebook(
        folder / "notebooks" / "02_two.ipynb",
        "[a](https://example.org/a) and <https://example.org/b> and https://example.org/c.",
    )
    problems, external = links.check([path])
    assert problems == []
    assert external == [
        "https://example.org/a", "https://example.org/b", "https://example.org/c"
    ]


def test_command_line_exit_codes(folder, capsys):
    good = notebook(folder / "notebooks" / "02_two.ipynb", "[next](01_one.ipynb)")
    assert links.main([str(good)]) == 0
    bad = notebook(folder / "notebooks" / "03_three.ipynb", "[next](04_four.ipynb)")
    assert links.main([str(bad)]) == 1
    assert "broken link 04_four.ipynb" in capsys.readouterr().out

"""Sphinx configuration of the offline book (used by ``python -m helpers.tools.book``).

The sources are the staged copies in ``build/book/src`` (see ``helpers/tools/book``); the
notebooks' stored outputs are shown as they are, nothing is executed. Every script and
stylesheet is served from the book itself: MathJax from ``_static/mathjax`` (the npm
package), no widget scripts (the widgets' static twins stand in for them).
"""

project = "CNNs from first principles"
author = "the CNN-from-first-principles authors"
copyright = "the authors, MIT licence"
html_title = "CNNs from first principles"

extensions = ["myst_nb"]
root_doc = "notebooks/00_start_here"
exclude_patterns = ["**.ipynb_checkpoints", "**/nbval_sanitize.cfg"]

# ---- myst-nb: stored outputs only --------------------------------------------------------
nb_execution_mode = "off"
nb_ipywidgets_js = {}  # no widget manager from a CDN: widget views are dropped when staging
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "html_image"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]  # a notebook may go from "#" to "###" for a hint box

# ---- MathJax 3 from _static (helpers/tools/book stages the npm package there) -------------
mathjax_path = "mathjax/tex-chtml.js"
mathjax3_config = {"tex": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]]}}

# ---- theme -------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_theme_options = {
    "home_page_in_toc": True,
    "use_download_button": True,
    "use_fullscreen_button": True,
    "use_repository_button": False,
    "show_navbar_depth": 1,
    "navigation_with_keys": False,
}
html_context = {"default_mode": "light"}  # as projected in a room; the reader can switch
html_css_files = ["book.css"]
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = True  # the download button offers each page's .ipynb

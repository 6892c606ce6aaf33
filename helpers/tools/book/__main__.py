"""``python -m helpers.tools.book [OUT]`` builds the book; ``... book mathjax`` fetches MathJax."""

import sys

from helpers.tools.book import main

sys.exit(main())

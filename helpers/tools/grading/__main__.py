import sys

from helpers.tools.grading import main

sys.exit(main(sys.argv[1:]))

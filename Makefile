# Two commands for a fresh machine: `make lab` and `make test` (see README.md).
# Everything runs from .venv, built from exact pins: the learner's lock
# (requirements-learner.txt) for `make lab`; the maintainer's (requirements-dev.txt) added on
# top for the tests, the book, the slides and grading (see README.md, Dependencies).

PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# JupyterLab's and the kernel's settings (helpers.tools.labsettings), redone when it changes.
LAB_STAMP := $(VENV)/.labsettings
KERNEL  := cnn-course
PORT    ?= 8888
# TensorFlow's C++ logging stays quiet in every notebook and test.
export TF_CPP_MIN_LOG_LEVEL := 3

NBVAL_FLAGS := --nbval --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg
# The stored outputs come from `make execute` (TensorFlow's oneDNN off, OpenBLAS's AVX-512
# kernels, numpy's AVX-512 code, default threads); nbval compares them under other
# numerics, as another machine would have: oneDNN on, OpenBLAS's AVX2 kernels on one
# thread, numpy without its AVX-512 code.
NBVAL_NUMERICS := TF_ENABLE_ONEDNN_OPTS=1 OPENBLAS_CORETYPE=Haswell OPENBLAS_NUM_THREADS=1 \
	NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR"
# Test runs keep their trained model here, never in models/ (the learner's notebook 09).
TEST_MODEL := $(CURDIR)/build/test-models/fashion_cnn.keras
# The tests that execute notebooks, a browser, the book or the slides (`make test-fast`
# leaves them out).
SLOW_TESTS := tests/test_browser.py tests/test_learner_copies.py tests/test_grading.py \
	tests/test_grading_attacks_code.py tests/test_grading_attacks_files.py \
	tests/test_grading_sandbox.py tests/test_book.py tests/test_slides.py tests/test_hub.py

.PHONY: setup data lab instructor-lab test test-fast unit notebooks lint execute images nav student learner \
	bench clean \
	grade slides slides-vendor wheelhouse book mathjax accessibility links precommit \
	hub hub-proxy room-usage

setup: $(STAMP) $(LAB_STAMP) data

# The learner's environment: only what `make lab` needs.
$(STAMP): requirements-learner.txt pyproject.toml
	@$(PY) -c 'import sys; v = sys.version_info[:2]; \
	  sys.exit(0 if v == (3, 11) else f"Python 3.11 is needed (found {v[0]}.{v[1]}); set PY=/path/to/python3.11")'
	@$(PY) -c 'import ensurepip' 2>/dev/null || { \
	  echo "python3 cannot create a venv: installing python3-venv"; \
	  apt-get update -qq && apt-get install -y -qq python3-venv; }
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-learner.txt
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) \
	  --display-name "Python 3 (cnn-course)" >/dev/null
	$(BIN)/python -m helpers.tools.labsettings  # the kernel.json just written loses --ext
	touch $@

# After the kernel is installed: it loads helpers.friendly_errors; nbgrader's instructor
# tools off (make instructor-lab turns them on for its own server).
$(LAB_STAMP): $(STAMP) helpers/tools/labsettings.py
	$(BIN)/python -m helpers.tools.labsettings
	touch $@

# The maintainer's tools on top (tests, lint, browser, grading, book, slides, hooks).
$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

data: $(STAMP)
	$(BIN)/python -m helpers.data

# Learners work in learner/ (blank exercises; never overwritten); notebooks/ is the answer key.
# JupyterLab serves the repository and opens learner/00_start_here.ipynb (helpers.tools.lab,
# the command the browser test starts too).
lab: setup learner
	$(BIN)/python -m helpers.tools.lab --port=$(PORT)

# The same JupyterLab with nbgrader's formgrader and course list on (instructors only).
instructor-lab: setup $(DEV_STAMP) learner
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m helpers.tools.lab --instructor --port=$(PORT)

# Each notebook is executed once by nbval; the learner-copy test runs 09 to 11 again as a
# quick run (CNN_COURSE_QUICK=1: one short epoch, see helpers.cnn). Lint, the unit tests
# and nbval run side by side on the two cores (--output-sync keeps each report together).
test: setup $(DEV_STAMP)
	$(MAKE) --no-print-directory -j2 --output-sync=target lint unit notebooks

# The unit tests run on every core (pytest-xdist): a test file goes to one worker, but
# the learner copies, each marked with its own xdist_group, are shared out one by one.
XDIST := -n auto --dist loadgroup

# Lint and the unit tests, without notebooks, browser, book or slides: under 2 minutes.
test-fast: $(DEV_STAMP) lint
	$(BIN)/python -m pytest -q $(XDIST) tests $(foreach t,$(SLOW_TESTS),--ignore=$(t))

lint: $(DEV_STAMP)
	$(BIN)/ruff check helpers tests notebooks

unit: $(DEV_STAMP)
	$(BIN)/python -m pytest -q $(XDIST) tests

notebooks: $(DEV_STAMP)
	rm -f $(TEST_MODEL)
	$(NBVAL_NUMERICS) CNN_COURSE_MODEL=$(TEST_MODEL) \
	  $(BIN)/python -m pytest -q $(NBVAL_FLAGS) notebooks

# Re-run every notebook top to bottom in place (the only way outputs change).
execute: $(DEV_STAMP)
	$(BIN)/python -m helpers.tools.execute notebooks/[0-9]*.ipynb

images: $(DEV_STAMP)
	$(BIN)/python -m helpers.tools.images

nav: $(DEV_STAMP)
	$(BIN)/python -m helpers.tools.navigation
	$(BIN)/python -m helpers.tools.contents

learner student: $(STAMP)
	$(BIN)/python -m helpers.tools.student

# Workshop kit (notebooks/INSTRUCTOR_GUIDE.md): autograde a folder of learners' notebooks,
# offline reveal.js decks, and a wheelhouse of the learner's lock for a room without network.
SUBMISSIONS ?= submissions
grade: $(DEV_STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m helpers.tools.grading $(SUBMISSIONS) $(if $(GRADE_SECONDS),--seconds $(GRADE_SECONDS))

# reveal.js and every script a deck loads, from the npm registry (never a CDN). One
# install at a time (flock): two at once into the same folder fail with npm's ENOTEMPTY,
# as a fresh clone's `make test` did; the second waits, then finds the files there.
slides-vendor:
	@mkdir -p slides/vendor
	@flock slides/vendor/.install.lock sh -c '[ -f slides/vendor/node_modules/mathjax/MathJax.js ] \
	  || npm install --no-audit --no-fund --prefix slides/vendor \
	  reveal.js@4.0.2 requirejs@2.1.10 mathjax@2.7.7 jquery@2.1.4'

slides: $(DEV_STAMP) slides-vendor
	$(BIN)/python -m helpers.tools.slides

wheelhouse: $(STAMP)
	$(BIN)/python -m pip download -q --only-binary=:all: -d wheelhouse -r requirements-learner.txt
	@echo "wheelhouse/: install with pip install --no-index --find-links wheelhouse -r requirements-learner.txt"

bench: $(DEV_STAMP)
	$(BIN)/python -m helpers.tools.bench

# A workshop server for a room (README.md, "A workshop server for a room"): JupyterHub
# from the maintainer's lock behind configurable-http-proxy from the npm registry
# (build/hub-node). Options: make hub HUB_ARGS="--ip 0.0.0.0 --port 8000 --admin ada"
# (python -m helpers.tools.hub --help).
hub-proxy:
	@[ -x build/hub-node/node_modules/.bin/configurable-http-proxy ] || npm install \
	  --no-audit --no-fund --prefix build/hub-node configurable-http-proxy@5.3.0

hub: $(DEV_STAMP) hub-proxy
	$(BIN)/python -m helpers.tools.hub $(HUB_ARGS)

# What one learner costs the server, notebook by notebook (peak memory, CPU seconds), and
# the sizing of a room; 09's model goes to build/, never to models/.
room-usage: $(DEV_STAMP)
	CNN_COURSE_MODEL=$(CURDIR)/build/room-usage/fashion_cnn.keras \
	  $(BIN)/python -m helpers.tools.room_usage $(ROOM_NOTEBOOKS)

# The offline HTML book: build/book/html from the stored outputs (nothing is executed).
# MathJax 3 and axe-core (the accessibility check) come once from the npm registry into
# build/npm, pinned in helpers/tools/book (never a CDN).
mathjax: $(DEV_STAMP)
	$(BIN)/python -m helpers.tools.book mathjax

book: $(DEV_STAMP) mathjax
	$(BIN)/python -m helpers.tools.book

# axe-core's WCAG 2 A and AA rules on every page of the book, in Debian's chromium: fails on
# a serious or critical violation.
accessibility: book
	$(BIN)/python -m helpers.tools.book axe

# Internal links, images and anchors of every notebook and markdown file; external ones listed.
links: $(DEV_STAMP)
	$(BIN)/python -m helpers.tools.links --external

# The local pre-commit hooks (.pre-commit-config.yaml) on every commit.
precommit: $(DEV_STAMP)
	$(BIN)/pre-commit install

clean:
	rm -rf $(VENV) student .bench slides wheelhouse

# The two commands a newcomer needs:  make book  (build the HTML book)  and  make test.
# Both create the virtual environment .venv and install everything on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
CHROMIUM   := /usr/bin/chromium
BROWSER_JS := tests/browser/node_modules/.package-lock.json

.PHONY: book test lint lab bench browser clean exercises copies assignments slides

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

## make book: create .venv if needed and build the HTML book into _build/html
book: $(STAMP)
	$(VENV)/bin/jupyter-book build . --keep-going
	@echo "Open _build/html/index.html in a browser."

## make test: lint, unit/property/exercise tests, nbval on notebooks/, book build + HTML checks,
## and browser tests (the built book, and the chapters in a live JupyterLab)
test: $(STAMP) lint browser
	$(PY) -m pytest -n 2 --dist loadscope --durations=25

## make browser: what the browser tests need besides .venv (Playwright is in requirements.txt):
## Debian's chromium (no browser downloads: Playwright drives it by its path) and local npm
## copies of the scripts the book loads from CDNs, pinned in tests/browser/package-lock.json.
browser: $(STAMP) $(BROWSER_JS)
	@test -x $(CHROMIUM) || $(MAKE) --no-print-directory DEB=chromium apt-install
	@test -x $(CHROMIUM) || { echo "$(CHROMIUM) is still missing after installing chromium" >&2; exit 1; }

$(BROWSER_JS): tests/browser/package.json tests/browser/package-lock.json
	@command -v npm >/dev/null || $(MAKE) --no-print-directory DEB=npm apt-install
	npm ci --prefix tests/browser --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# apt-get install $(DEB): as root, or through sudo; otherwise say what to run.
apt-install:
	@if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; else \
	  echo "The browser tests need Debian's $(DEB), and installing it needs root. Run:" >&2; \
	  echo "    sudo apt-get install -y $(DEB)     (then make test again)" >&2; exit 1; fi; \
	echo "Installing Debian's $(DEB) for the browser tests"; \
	$$SUDO apt-get update -qq && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB)

lint: $(STAMP)
	$(PY) -m ruff check cnn_lib tests tools benchmarks conftest.py

## make exercises: write each chapter's exercise section from cnn_lib/exercises (then re-execute)
exercises: $(STAMP)
	$(PY) tools/exercise_cells.py

## make assignments: an otter-grader assignment per chapter, generated from cnn_lib/exercises:
## _build/assignments/<chapter>/student/ (notebook, public tests) and autograder/ (solutions, zip)
assignments: $(STAMP)
	$(PY) tools/assignments.py

## make slides: a reveal.js deck per chapter, _build/slides/<chapter>.slides.html, with local
## copies of reveal.js, require.js and MathJax beside them (the decks open offline)
slides: $(STAMP) $(BROWSER_JS)
	$(PY) tools/slides.py

## make copies: write jupyter/, the chapters in plain Markdown for Colab and Binder
copies: $(STAMP)
	$(PY) tools/jupyter_copies.py

## make lab: open the chapters in JupyterLab
lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

## make bench: speed figures (ratios against PyTorch, notebook and widget times)
bench: $(STAMP)
	$(PY) -m benchmarks

clean:
	rm -rf _build

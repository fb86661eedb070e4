# The two commands a newcomer needs:  make book  (build the HTML book)  and  make test.
# Both create the virtual environment .venv and install everything on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: book test lint lab bench clean

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

## make test: lint, unit/property/exercise tests, nbval on notebooks/, book build + HTML checks
test: $(STAMP) lint
	$(PY) -m pytest -n 2 --dist loadscope

lint: $(STAMP)
	$(PY) -m ruff check cnn_lib tests benchmarks conftest.py

## make lab: open the chapters in JupyterLab
lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

## make bench: speed figures (ratios against PyTorch, notebook and widget times)
bench: $(STAMP)
	$(PY) -m benchmarks

clean:
	rm -rf _build

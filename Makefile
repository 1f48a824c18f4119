# Two commands on a fresh machine: `make demo` and `make test`. Both build the virtualenv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RAY_STAMP := $(VENV)/.installed-ray

.PHONY: demo test bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The tests run the Ray executor on a local Ray; the demo does not need it.
$(RAY_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,ray]'
	touch $(RAY_STAMP)

demo: $(STAMP)
	$(BIN)/gleaner demo --vault notes
	$(BIN)/gleaner validate notes

test: $(RAY_STAMP)
	$(BIN)/python -m pytest -q

bench: $(RAY_STAMP)
	$(BIN)/python bench/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check pipeline tests bench scripts

clean:
	rm -rf $(VENV) .pytest_cache

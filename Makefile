# The two set-up commands: `make run` (install, then the main job) and `make test` (install, then
# the whole test suite). Both create .venv with Python >= 3.12 on first use.
VENV ?= .venv
STAMP := $(VENV)/.installed

.PHONY: install run test lint explore

$(STAMP): pyproject.toml scripts/bootstrap.sh
	bash scripts/bootstrap.sh $(VENV)
	touch $(STAMP)

install: $(STAMP)

run: install
	$(VENV)/bin/csei-sim

test: install
	$(VENV)/bin/python -m pytest

explore: install  # the explorer on http://127.0.0.1:8765/ (ARGS="--port 9000" to change)
	$(VENV)/bin/python -m csei_sim.viz.launch $(ARGS)

# every folder of Python code
LINTED := src tests scripts benchmarks

lint: install
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)

# The classroom lessons (notebooks/) in JupyterLab; installs the `lab` extra on first use.
LAB := $(VENV)/.lab-installed
.PHONY: notebooks

$(LAB): $(STAMP)
	$(VENV)/bin/python -m pip install --quiet -e ".[lab]"
	touch $(LAB)

notebooks: $(LAB)  # ARGS="--port 9999 --no-browser" to change how it is served
	$(VENV)/bin/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root) $(ARGS)

# Benchmarks: CSEIModel against Mesa's BoltzmannWealth and sweep throughput, written to
# benchmarks/results.md (about 15 minutes; ARGS="--quick" for a two-minute smoke version).
.PHONY: bench
bench: install
	$(VENV)/bin/python benchmarks/bench.py $(ARGS)

# privnet.aws — the two commands a newcomer needs are `make demo` and `make test`; the rest is the inner loop.
SHELL := /bin/bash
VENV := .venv/bin
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/build/collections
S ?=

.PHONY: setup demo test lint sanity unit lab-test integration molecule bench soak build docs clean lab-up lab-down

setup:
	@bash tools/setup.sh

demo: setup
	@bash tools/demo.sh

test: setup
	@$(VENV)/python tools/run_tests.py

lint: setup
	@$(VENV)/python tools/run_tests.py --only ruff yamllint ansible-lint

sanity: setup
	@bash tools/sanity.sh

unit: setup
	@$(VENV)/pytest -q tests/unit

lab-test: setup
	@$(VENV)/pytest -q lab/tests

integration: setup
	@$(VENV)/python tools/run_tests.py --only integration

molecule: setup
	@bash tools/molecule.sh $(S)

bench: setup
	@bash tools/bench.sh

build: setup
	@$(VENV)/ansible-galaxy collection build --force --output-path build/dist .

docs: setup
	@$(VENV)/ansible-doc -t module -l privnet.aws

clean:
	rm -rf build .pytest_cache .ruff_cache

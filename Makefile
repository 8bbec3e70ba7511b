# privnet.aws — the two commands a newcomer needs are `make demo` and `make test`; the rest is the inner loop.
SHELL := /bin/bash
VENV := .venv/bin
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/build/collections
S ?=
ARGS ?=

.PHONY: setup demo test lint sanity unit lab-test integration molecule awx-jobs reliability soak bench build docs clean

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

# Runs each scenario's provision, verify and teardown job templates the way AWX runs them (ansible-runner) against
# the lab (also part of `make test`, lane B).
awx-jobs: setup
	@$(VENV)/awslab up && trap '$(VENV)/awslab down' EXIT && $(VENV)/awslab exec -- $(VENV)/pytest -q tests/awx/lab

# Every reliability test on one lab of its own, one after another (`make test` shares them out over its lanes and
# leaves out the tests of known defects listed in tests/reliability/known_defects.py, none today). About an hour.
reliability: setup
	@bash tools/with_lab.sh $(VENV)/pytest -q -rfE --durations=0 tests/reliability

# Many fault runs (and, with ARGS="--crashes", crash runs) with different seeds; prints the success rate.
soak: setup
	@bash tools/with_lab.sh $(VENV)/python tests/reliability/soak.py --runs 12 --minutes 90 $(ARGS)

# Benchmarks on a lab of their own with AWS's throttling and realistic delays: ours vs a plain amazon.aws baseline.
# Not part of `make test`; results in bench/results.md and bench/results.json. Options: make bench ARGS="--quick".
bench: setup
	@$(VENV)/python bench/run.py $(ARGS)

build: setup
	@$(VENV)/ansible-galaxy collection build --force --output-path build/dist .

docs: setup
	@$(VENV)/ansible-doc -t module -l privnet.aws

clean:
	rm -rf build .pytest_cache .ruff_cache

# The two commands of the README, and the environment they need, from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# the environments of SageMaker's framework images that local jobs run in (one per image)
IMAGES := $(VENV)/.images
# pip in uv's cache, so each build's fresh Python environment gets it offline (docs/builds.md)
BUILD_IMAGE := $(VENV)/.build-image
# Debian's Chromium, which the drift report's browser test drives (playwright's own browser
# download cannot be fetched here); installed when missing, so `make test` works on a bare machine
CHROMIUM := /usr/bin/chromium
# every installed module compiled to bytecode once (see below)
BYTECODE := $(VENV)/.bytecode

.PHONY: demo test lint bench mutate lock clean

# Some machines set this; compiling the SageMaker SDK and moto from source on every import
# doubles the suite's time, so let Python cache bytecode.
unexport PYTHONDONTWRITEBYTECODE

# Re-install only when the project's dependencies change. uv resolves this tree (SageMaker SDK,
# moto, Pulumi) in seconds where pip backtracks for many minutes; constraints.txt pins what was
# tested (refresh it with `make lock`).
$(INSTALLED): pyproject.toml setup.py constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -c constraints.txt -e '.[dev]'
	touch $@

# Bytecode for all of site-packages, written once: the unexport above covers `make` only, and
# every Python the suite starts (each worker, a generated project's own tests, the CLI in the
# docs' commands, a local cloud with a state folder) otherwise compiles the SageMaker SDK and
# moto from source where PYTHONDONTWRITEBYTECODE is set (~8 CPU seconds a process). ~50 CPU
# seconds, once per install.
$(BYTECODE): $(INSTALLED)
	$(BIN)/python -m compileall -q -j 0 "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
	touch $@

$(IMAGES): $(INSTALLED) sagestack/localcloud/executors/images/catalog.py
	$(BIN)/sagestack local images install
	touch $@

$(BUILD_IMAGE): $(INSTALLED)
	rm -rf $(VENV)/.build-image-seed
	$(BIN)/uv venv --quiet --seed --python $(BIN)/python $(VENV)/.build-image-seed
	rm -rf $(VENV)/.build-image-seed
	touch $@

$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "make: $@ is missing and there is no apt-get: install Debian's chromium package (or a Chromium at $@) and rerun" >&2; exit 1; }
	@[ "$$(id -u)" = 0 ] || { echo "make: $@ is missing: run 'apt-get install chromium fonts-dejavu-core' as root, then rerun" >&2; exit 1; }
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends chromium fonts-dejavu-core && test -x $@; } \
		|| { echo "make: apt-get could not install Debian's chromium package ($@), which the drift report's browser test needs" >&2; exit 1; }

lock:
	$(BIN)/uv pip compile --quiet pyproject.toml --extra dev --extra bench \
		--python-version 3.11 -o constraints.txt

## demo: the whole loop on the local cloud
demo: $(IMAGES) $(BUILD_IMAGE) $(BYTECODE)
	$(BIN)/sagestack demo

## test: every test layer (unit, program, template, local cloud, end to end)
test: $(IMAGES) $(BUILD_IMAGE) $(BYTECODE) $(CHROMIUM)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: $(INSTALLED)
	$(BIN)/ruff check sagestack infra pipelines tests benchmarks mutation

## bench: speed and memory against baselines, printed as ratios
bench: $(IMAGES) $(BYTECODE)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -c constraints.txt -e '.[dev,bench]'
	$(BIN)/python -m benchmarks

## mutate: mutation testing of the critical modules, scored per module (not part of test)
mutate: $(IMAGES)
	$(BIN)/python mutation/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mutation

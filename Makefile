# `make test`: install what the suite needs (system packages, CPU torch, extras), then run it.
PYTHON ?= python3

.PHONY: test test-only lint test-wheel demo bench

test:
	sh scripts/setup_test_env.sh
	$(PYTHON) -m pytest -q

test-only:
	$(PYTHON) -m pytest -q

# ruff's config is in pyproject.toml; install it (the `lint` extra's range) when it is missing.
lint:
	$(PYTHON) -m ruff --version >/dev/null 2>&1 || $(PYTHON) -m pip install -q "ruff>=0.6,<1"
	$(PYTHON) -m ruff check .

# Build the wheel from a clean clone, check what is in it, and run the suite against it installed.
test-wheel:
	sh scripts/test_wheel.sh

demo:
	$(PYTHON) -m pip install -q . && trailersmith demo

bench:
	$(PYTHON) benchmarks/bench_suggest.py
	$(PYTHON) benchmarks/quality_suggest.py
	$(PYTHON) benchmarks/bench_shots.py
	$(PYTHON) benchmarks/bench_music.py
	$(PYTHON) benchmarks/bench_imagebind.py
	$(PYTHON) benchmarks/bench_learned.py

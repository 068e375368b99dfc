# `make test`: install what the suite needs (system packages, CPU torch, extras), then run it.
PYTHON ?= python3

.PHONY: test test-only demo bench

test:
	sh scripts/setup_test_env.sh
	$(PYTHON) -m pytest -q

test-only:
	$(PYTHON) -m pytest -q

demo:
	$(PYTHON) -m pip install -q . && trailersmith demo

bench:
	$(PYTHON) benchmarks/bench_suggest.py
	$(PYTHON) benchmarks/quality_suggest.py
	$(PYTHON) benchmarks/bench_shots.py
	$(PYTHON) benchmarks/bench_music.py
	$(PYTHON) benchmarks/bench_imagebind.py
	$(PYTHON) benchmarks/bench_learned.py

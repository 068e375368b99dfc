"""Helpers shared by the tests (and, by path, the benchmarks): factories, media lookup, readers."""

"""Tests on synthetic data and fakes: no real media, no editor, no GPU."""

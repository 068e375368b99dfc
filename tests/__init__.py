"""Trailersmith's test suite: unit/ (synthetic data and fakes), integration/ (real media, melt,
Kdenlive), support/ (factories and helpers shared by both)."""

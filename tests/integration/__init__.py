"""Tests on real media (../shared/media), melt and Kdenlive; each skips with the reason when
what it needs is absent."""

"""Pure trailer pipeline: no Qt, no editor API, no adapters. Heavy imports stay inside functions."""

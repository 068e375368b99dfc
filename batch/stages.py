"""Where the batch engine finds the analysis stages (one place to change when they move)."""
from __future__ import annotations


def stage_functions():
    """``(analyze_movie, analyze_music_track)``: the cached analysis stages of ``suggest``."""
    from trailersmith.core.pipeline import analyze_movie, analyze_music_track
    return analyze_movie, analyze_music_track


def suggest_function():
    """``suggest(movie, music, options, reporter)``: the whole single-film job."""
    from trailersmith.core.pipeline import suggest
    return suggest

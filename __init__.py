"""Trailersmith: suggest a movie trailer cut to music, as a timeline for your video editor.

Sub-packages: ``trailersmith.core`` (pure pipeline), ``trailersmith.adapters`` (file formats and
editor glue), ``trailersmith.plugin`` (the Qt panel and editor entry points).
"""

__version__ = "0.1.0"

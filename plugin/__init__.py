"""The PySide6 panel's room: its widgets, its one worker thread, and the panel entry point.

Qt only: editor glue (Resolve host, Kdenlive launch, the Resolve installer) lives in
``trailersmith.adapters``; the pipeline in ``trailersmith.core``.
"""

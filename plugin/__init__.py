"""The PySide6 panel, its workers and the editor entry points."""

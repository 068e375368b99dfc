"""Kdenlive's room: ``.kdenlive`` projects (MLT XML) written and read, and Kdenlive launched.

``write`` turns an OTIO timeline into a project Kdenlive 22.12+ opens without a dialog (and
``melt`` renders); ``read`` brings a project (ours, or one Kdenlive re-saved) back as OTIO;
``launch`` opens a project in an installed Kdenlive or says how to. ``mlt`` holds what writer and
reader share. This package is the ``.kdenlive`` entry of :data:`..formats.FORMATS`.
"""
from .read import read_from_file
from .write import carry_problem, write_to_file, write_to_string

__all__ = ["carry_problem", "read_from_file", "write_to_file", "write_to_string"]

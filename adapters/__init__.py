"""Editor and file-format glue: OTIO, EDL, FCP XML, Kdenlive, DaVinci Resolve.

``write_timeline`` / ``read_timeline`` pick the format from the file's suffix (see ``formats``).
"""
from .formats import read_timeline, supported_suffixes, write_timeline

__all__ = ["read_timeline", "supported_suffixes", "write_timeline"]

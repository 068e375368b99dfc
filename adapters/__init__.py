"""Files and editors' room: timeline file formats and the glue to Kdenlive and DaVinci Resolve.

``formats`` is the static suffix -> module table (``otio_json``, ``edl``, ``fcp_xml``,
``kdenlive``); ``write_timeline`` / ``read_timeline`` pick the format from the file's suffix and
write through :mod:`trailersmith.core.fileio` (checked, atomic). ``_files`` turns media URLs into
paths and plans output paths; ``kdenlive/`` and ``resolve/`` hold everything editor-specific.
May import ``core``; never ``plugin`` or ``cli``.
"""
from .formats import read_timeline, supported_suffixes, write_timeline

__all__ = ["read_timeline", "supported_suffixes", "write_timeline"]

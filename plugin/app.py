"""Start the panel: standalone (``trailersmith-panel``) or inside DaVinci Resolve (entry script)."""
from __future__ import annotations

import argparse
import logging
import sys
from typing import List, Optional

log = logging.getLogger(__name__)

# Panels opened inside Resolve stay referenced here, or Python would close their windows.
_open_panels: list = []


def _application():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("Trailersmith")
        app.setOrganizationName("Trailersmith")
    return app


def _run_event_loop(app) -> int:
    """Qt's event loop; tests replace this to drive the panel themselves."""
    return app.exec()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trailersmith-panel",
                                     description="The Trailersmith panel: suggest a trailer "
                                                 "cut to music, then export or open it.")
    parser.add_argument("--movie", help="preselect this movie file")
    parser.add_argument("--music", help="preselect this music file")
    parser.add_argument("--quit-after", type=float, metavar="SECONDS",
                        help="close the window after SECONDS (smoke tests)")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of ``trailersmith-panel``; returns the process exit code."""
    from trailersmith.core.userdirs import setup_logging

    setup_logging(stderr_level=logging.WARNING)  # and to the log file the errors point to
    args = _parser().parse_args(argv)
    try:
        app = _application()
    except ImportError as exc:
        print(f"trailersmith-panel: error: the panel needs PySide6 ({exc}); install it with "
              "\"pip install 'trailersmith[qt]'\".", file=sys.stderr)
        return 2
    from .panel import TrailerPanel

    panel = TrailerPanel()
    if args.movie:
        panel.movie_input.set_path(args.movie)
    if args.music:
        panel.music_input.set_path(args.music)
    panel.resize(1100, 760)
    panel.show()
    if args.quit_after is not None:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(int(args.quit_after * 1000), panel.close)
    print("trailersmith-panel: window open", file=sys.stderr, flush=True)
    return int(_run_event_loop(app) or 0)


def launch_in_resolve(injected_handle=None):
    """Called by the Resolve entry script with the ``resolve`` object Resolve injected.

    Returns the panel (tests drive it); inside Resolve this blocks in Qt's event loop until the
    panel closes.
    """
    from trailersmith.adapters.resolve.host import ResolveError, ResolveHost
    from trailersmith.core.userdirs import setup_logging

    setup_logging(stderr_level=logging.WARNING)
    try:
        host = ResolveHost.connect(injected_handle)
    except ResolveError as exc:
        print(f"Trailersmith: {exc}", file=sys.stderr)
        return None
    app = _application()
    from .panel import TrailerPanel

    panel = TrailerPanel(host)
    panel.resize(1100, 760)
    panel.show()
    _open_panels.append(panel)
    _run_event_loop(app)
    return panel

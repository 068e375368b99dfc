#!/usr/bin/env python3
"""Render a picture of the panel after a finished run (offscreen), e.g. for docs/panel.png.

    python scripts/render_panel_png.py                       # excerpts of ../shared/media
    python scripts/render_panel_png.py --movie M --music X --out docs/panel.png

Without --movie/--music it cuts a 2 min excerpt of Big Buck Bunny (stream copy, no re-encode) and a
30 s excerpt of "Vibe Ace" into a temporary folder, runs the real pipeline through the panel's
own worker thread, selects one shot so its explanation shows, and saves the window.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MEDIA = Path(os.environ.get("TRAILERSMITH_MEDIA", REPO.parent / "shared" / "media"))


def excerpts(folder: Path) -> tuple:
    """Stream-copied excerpts of the shared test media (fast; nothing is re-encoded)."""
    movie, music = folder / "bbb_excerpt.mp4", folder / "vibe_ace_excerpt.ogg"
    source_movie = MEDIA / "video/bbb/bbb_full_720p24.mp4"
    source_music = MEDIA / "music/librosa/Kevin_MacLeod_-_Vibe_Ace.hq.ogg"
    for path in (source_movie, source_music):
        if not path.is_file():
            raise SystemExit(f"render_panel_png: {path} is missing; pass --movie and --music.")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", "60", "-i", str(source_movie),
                    "-t", "120", "-c", "copy", "-use_editlist", "0", "-timecode", "01:00:00:00",
                    str(movie)], check=True)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(source_music), "-map", "0:a",
                    "-t", "30", "-c:a", "copy", str(music)], check=True)
    return str(movie), str(music)


def render(movie: str, music: str, out: Path, *, width: int, height: int,
           timeout_s: float) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from trailersmith.plugin.panel import TrailerPanel

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as config:
        panel = TrailerPanel(settings_file=Path(config) / "panel.json")
        panel.resize(width, height)
        panel.show()
        panel.movie_input.set_path(movie)
        panel.music_input.set_path(music)
        loop = QEventLoop()
        panel.runner.signals.finished.connect(loop.quit)
        QTimer.singleShot(int(timeout_s * 1000), loop.quit)
        if not panel.suggest():
            print(f"render_panel_png: {panel.message_label.text()}", file=sys.stderr)
            return 2
        loop.exec()
        if panel.run is None:
            print(f"render_panel_png: no result ({panel.message_label.text()})", file=sys.stderr)
            return 1
        panel.view.select_clip(min(3, len(panel.run.result.plan.clips) - 1))
        app.processEvents()
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.tmp.png")
        if not panel.grab().save(str(tmp)):
            print(f"render_panel_png: could not write {out}", file=sys.stderr)
            return 1
        os.replace(tmp, out)
        print(f"render_panel_png: wrote {out} ({len(panel.run.result.plan.clips)} shots, "
              f"{panel.run.elapsed_s:.1f} s)")
        panel.close()
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movie")
    parser.add_argument("--music")
    parser.add_argument("--out", default=str(REPO / "docs" / "panel.png"))
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=600)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for the run")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.movie and args.music:
            movie, music = args.movie, args.music
        else:
            movie, music = excerpts(Path(tmp))
        return render(movie, music, Path(args.out), width=args.width, height=args.height,
                      timeout_s=args.timeout)


if __name__ == "__main__":
    raise SystemExit(main())

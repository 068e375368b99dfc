"""Small media files with a 01:00:00:00 start timecode, as editors' footage usually has."""
import subprocess
from pathlib import Path
from typing import Sequence, Tuple


def timecoded_movie_and_music(folder: Path, seconds: float, music_seconds: float, *,
                              pattern: str = "testsrc", size: str = "160x90",
                              tone_hz: float = 440, encoder_options: Sequence[str] = ()
                              ) -> Tuple[Path, Path]:
    """``folder/movie.mp4`` (24 fps H.264, ffmpeg test ``pattern``, timecode 01:00:00:00) and
    ``folder/music.wav`` (a sine at ``tone_hz``); returns both paths."""
    movie, music = Path(folder) / "movie.mp4", Path(folder) / "music.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"{pattern}=size={size}:rate=24:duration={seconds:g}", "-c:v", "libx264",
                    *encoder_options, "-pix_fmt", "yuv420p", "-timecode", "01:00:00:00",
                    str(movie)], check=True)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"sine=f={tone_hz:g}:d={music_seconds:g}", str(music)], check=True)
    return movie, music

"""The music stage: analysis, per-segment features and the waveform envelope, cached."""
from __future__ import annotations

import numpy as np

from .cache import ArraySpec, StageCache
from .features.base import FeatureBackend
from .model import MusicAnalysis
from .progress import Reporter

SAMPLE_RATE = 22050
#: What a cached music entry must hold to be used (anything else is discarded and recomputed).
REQUIRED = {"beats_s": ArraySpec("f"), "downbeats_s": ArraySpec("f"),
            "sections_s": ArraySpec("f", 2, width=2), "cuts_s": ArraySpec("f"),
            "energy": ArraySpec("f"), "segment_features": ArraySpec("f", 2),
            "waveform": ArraySpec("f", None)}


def load_or_analyze(path: str, backend: FeatureBackend, pace: float, cache: StageCache,
                    reporter: Reporter, segmentation: str = "beats"):
    """Return a ``pipeline.MusicResult`` for ``path``, analysing it only on a cache miss."""
    import os

    from .media import load_audio
    from .music import ANALYSIS_VERSION, analyze_music, waveform_envelope

    path = os.path.abspath(path)
    reporter.report("Analysing the music", 0, 1)
    from .media import check_file
    check_file(path, "Music")
    key = cache.key("music", files=[path], version=ANALYSIS_VERSION,
                    params={"pace": pace, "sr": SAMPLE_RATE, "segmentation": segmentation,
                            "backend": (backend.name, backend.version)})
    hit = cache.load("music", key, required=REQUIRED, validate=check_entry)
    if hit is not None:
        arrays, meta = hit
        return _unpack(path, arrays, meta)
    y = load_audio(path, SAMPLE_RATE)
    analysis = analyze_music(y=y, sr=SAMPLE_RATE, pace=pace, segmentation=segmentation,
                             reporter=reporter)
    analysis.path = path
    features, cues = backend.music_features(y, SAMPLE_RATE, analysis)
    arrays = {
        "beats_s": analysis.beats_s, "downbeats_s": analysis.downbeats_s,
        "sections_s": np.asarray(analysis.sections_s, float).reshape(-1, 2),
        "cuts_s": analysis.cuts_s,
        "energy": analysis.energy if analysis.energy is not None else np.zeros(0),
        "segment_features": features, "waveform": waveform_envelope(y, bins=2000),
        **{f"cue_{k}": np.asarray(v) for k, v in cues.items()},
    }
    meta = {"duration_s": analysis.duration_s, "sample_rate": analysis.sample_rate,
            "tempo_bpm": analysis.tempo_bpm}
    reporter.check()
    cache.save("music", key, arrays, meta)
    reporter.report("Analysing the music", 1, 1)
    return _unpack(path, arrays, meta)


def check_entry(arrays, meta) -> None:
    """Raise ValueError unless a cached entry describes a usable music analysis."""
    duration, sr, tempo = (float(meta[k]) for k in ("duration_s", "sample_rate", "tempo_bpm"))
    if not (np.isfinite(duration) and duration > 0 and sr > 0 and np.isfinite(tempo)):
        raise ValueError("bad duration, sample rate or tempo")
    if (np.diff(arrays["cuts_s"]) < 0).any():
        raise ValueError("cuts are not sorted")
    for name, a in arrays.items():
        if name.startswith("cue_") and (a.dtype.kind not in "iufb" or (
                a.dtype.kind == "f" and np.isnan(a).any())
                or len(a) != len(arrays["segment_features"])):
            raise ValueError(f"{name} is not numeric, holds NaN or does not fit the segments")


def _unpack(path: str, arrays, meta):
    from .pipeline import MusicResult

    energy = arrays["energy"]
    analysis = MusicAnalysis(
        path=path, duration_s=float(meta["duration_s"]), sample_rate=int(meta["sample_rate"]),
        tempo_bpm=float(meta["tempo_bpm"]), beats_s=arrays["beats_s"],
        downbeats_s=arrays["downbeats_s"], sections_s=arrays["sections_s"],
        cuts_s=arrays["cuts_s"], energy=energy if len(energy) else None)
    cues = {k[len("cue_"):]: v for k, v in arrays.items() if k.startswith("cue_")}
    return MusicResult(analysis=analysis, segment_features=arrays["segment_features"],
                       segment_cues=cues, waveform=arrays["waveform"])

"""``affect``: the built-in feature backend. No weights, no torch; numpy and librosa only.

Shots and music segments meet in a small "affect" space whose axes pair a visual cue with the
musical cue a trailer editor matches it to:

=========  =============================  ===================================
axis       shot                           music segment
=========  =============================  ===================================
energy     motion (frame difference)      loudness (RMS, dB)
activity   motion peaks (90th pct)        onset density (onsets per second)
light      brightness (mean luma)         spectral brightness (centroid)
colour     colourfulness + contrast       tempo and harmonic richness
=========  =============================  ===================================

Each cue is turned into its quantile within the movie (or track), so the two distributions line up
and a squared distance means "goes together". Per-frame statistics are taken from small frames in
the movie's one decode pass and cached; shot features are aggregated from them. A second consumer
in the same pass scores every few frames at 320 pixels wide for burnt-in text (end credits over
pictures, title cards; see :mod:`.text_overlay`), which the 64x36 statistics are too small to see.
When dlib is installed, a third reads faces on one frame a second (:mod:`.faces`); the skin-tone
share of the 64x36 frames is kept as a statistic (``skin``) but never taken for faces. When torch
and Silero VAD are installed, the soundtrack is decoded in the same pass and read for speech
(:mod:`.speech`): per shot, seconds of dialogue.
"""
from __future__ import annotations

from typing import Dict, Optional, Tuple

import numpy as np

from ..model import MusicAnalysis, ShotList, VideoInfo
from ..timebase import seconds_to_frames
from . import faces, speech
from .interface import FeatureBackend
from .text_overlay import TextOverlayConsumer, text_frames

#: Axis weights (energy matters most: loud music wants moving pictures).
AXIS_WEIGHTS = np.array([2.0, 1.0, 0.6, 0.4])
AXES = ("energy", "activity", "light", "colour")

_FRAME_SIZE = (64, 36)
_BATCH = 128
# Per-frame statistics, in this column order.
FRAME_STATS = ("luma", "contrast", "colourfulness", "motion", "skin", "dark_fraction", "edge")


class _FrameStatsConsumer:
    """Collects per-frame statistics at 64x36 in batches (vectorised numpy)."""

    size = _FRAME_SIZE
    stride = 1

    def __init__(self) -> None:
        self._batch = []
        self._prev_luma = None
        self._rows = []

    def consume(self, index: int, time_s: float, rgb: np.ndarray) -> None:
        self._batch.append(rgb)
        if len(self._batch) >= _BATCH:
            self._flush()

    def finish(self, frame_count: int) -> None:
        self._flush()

    def _flush(self) -> None:
        if not self._batch:
            return
        frames = np.stack(self._batch).astype(np.float32)  # (B, H, W, 3)
        self._batch = []
        r, g, b = frames[..., 0], frames[..., 1], frames[..., 2]
        luma = 0.299 * r + 0.587 * g + 0.114 * b
        # Hasler & Suesstrunk colourfulness on opponent channels.
        rg, yb = r - g, 0.5 * (r + g) - b
        colourful = (np.sqrt(rg.var(axis=(1, 2)) + yb.var(axis=(1, 2)))
                     + 0.3 * np.sqrt(rg.mean(axis=(1, 2)) ** 2 + yb.mean(axis=(1, 2)) ** 2))
        first = luma[:1] if self._prev_luma is None else self._prev_luma[None]
        prev = np.concatenate([first, luma[:-1]])
        motion = np.abs(luma - prev).mean(axis=(1, 2))
        self._prev_luma = luma[-1]
        # Skin-tone chroma range (YCbCr), a weight-free stand-in for "people on screen".
        cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
        cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
        skin = ((cb > 77) & (cb < 127) & (cr > 133) & (cr < 173) & (luma > 40)).mean(axis=(1, 2))
        dark = (luma < 24).mean(axis=(1, 2))
        gx = np.abs(np.diff(luma, axis=2)).mean(axis=(1, 2))
        gy = np.abs(np.diff(luma, axis=1)).mean(axis=(1, 2))
        self._rows.append(np.stack([luma.mean(axis=(1, 2)), luma.std(axis=(1, 2)), colourful,
                                    motion, skin, dark, gx + gy], axis=1))

    def stats(self) -> np.ndarray:
        if not self._rows:
            return np.zeros((0, len(FRAME_STATS)), np.float32)
        return np.concatenate(self._rows).astype(np.float32)


def quantiles(values: np.ndarray, mask: np.ndarray = None) -> np.ndarray:
    """Each value's quantile in [0, 1] among ``values[mask]`` (ties share their mean rank)."""
    values = np.asarray(values, float)
    ref = np.sort(values[mask] if mask is not None and mask.any() else values)
    if len(ref) <= 1:
        return np.full(len(values), 0.5)
    lo = np.searchsorted(ref, values, side="left")
    hi = np.searchsorted(ref, values, side="right")
    return np.clip((lo + hi - 1) / 2.0 / (len(ref) - 1), 0.0, 1.0)


def _per_shot(values: np.ndarray, shots: np.ndarray, reducer) -> np.ndarray:
    out = np.zeros(len(shots))
    for i, (s, e) in enumerate(shots):
        seg = values[s:e]
        out[i] = reducer(seg) if len(seg) else 0.0
    return out


def shot_cues(stats: np.ndarray, shots: ShotList,
              text: Optional[np.ndarray] = None) -> Dict[str, np.ndarray]:
    """Per-shot cues (raw units) from per-frame statistics.

    Parameters
    ----------
    stats : ndarray, shape (frames, len(FRAME_STATS))
        Per-frame statistics from the decode pass.
    shots : ShotList
        The movie's shots.
    text : ndarray, shape (frames,), optional
        Per-frame text-overlay scores (:func:`.text_overlay.text_scores`); without them only
        dark credit frames are recognised.
    """
    col = {name: stats[:, k] for k, name in enumerate(FRAME_STATS)}
    rng = shots.shots
    # Motion inside a shot only: the first frame's difference spans the cut.
    motion = col["motion"].copy()
    motion[np.clip(rng[:, 0], 0, len(motion) - 1)] = np.nan
    cues = {
        "motion": _per_shot(motion, rng, lambda v: np.nanmean(v) if np.isfinite(v).any() else 0.0),
        "motion_peak": _per_shot(
            motion, rng, lambda v: np.nanpercentile(v, 90) if np.isfinite(v).any() else 0.0),
        "brightness": _per_shot(col["luma"], rng, np.mean),
        "contrast": _per_shot(col["contrast"], rng, np.mean),
        "colourfulness": _per_shot(col["colourfulness"], rng, np.mean),
        "skin": _per_shot(col["skin"], rng, np.mean),
        "dark_fraction": _per_shot(col["dark_fraction"], rng, np.mean),
        "blank_fraction": _per_shot((col["contrast"] < 6.0).astype(float), rng, np.mean),
    }
    # End credits and title cards: mostly black frames with small bright detail (text), or
    # lines of text over any picture.
    text_like = (col["dark_fraction"] > 0.7) & (col["edge"] > 1.5) & (col["colourfulness"] < 15)
    overlay = text_frames(text, len(stats))
    cues["text_fraction"] = _per_shot(overlay.astype(float), rng, np.mean)
    cues["credits_fraction"] = _per_shot((text_like | overlay).astype(float), rng, np.mean)
    return cues


def shot_quality(cues: Dict[str, np.ndarray], shots: ShotList) -> np.ndarray:
    """Stand-alone trailer-worthiness in [0, 1]: no black, blank or credit frames, some life."""
    q = np.ones(len(shots.shots))
    q *= 1.0 - np.clip(cues["blank_fraction"], 0, 1)
    q *= 1.0 - np.clip(cues["credits_fraction"] * 1.5, 0, 1)
    q *= 1.0 - 0.8 * np.clip((cues["dark_fraction"] - 0.5) * 2, 0, 1)
    q *= 0.75 + 0.25 * quantiles(cues["contrast"])
    q *= 0.8 + 0.2 * quantiles(cues["colourfulness"])
    if "face_count" in cues:  # a face on screen is what trailers are made of
        q *= 0.9 + 0.1 * (cues["face_count"] > 0)
    too_short = shots.lengths < max(3, seconds_to_frames(0.25, shots.fps))
    q[too_short] *= 0.2
    return np.clip(q, 0.0, 1.0)


def segment_cues(y: np.ndarray, sr: int, music: MusicAnalysis) -> Dict[str, np.ndarray]:
    """Per music segment: loudness (dB), onset density (1/s), spectral brightness (Hz), tempo."""
    import librosa

    hop = 512
    rms = librosa.feature.rms(y=y, hop_length=hop)[0]
    centroid = librosa.feature.spectral_centroid(y=y, sr=sr, hop_length=hop)[0]
    onset_env = librosa.onset.onset_strength(y=y, sr=sr, hop_length=hop)
    onsets = librosa.onset.onset_detect(onset_envelope=onset_env, sr=sr, hop_length=hop,
                                        units="time")
    flatness = librosa.feature.spectral_flatness(y=y, hop_length=hop)[0]
    times = librosa.frames_to_time(np.arange(len(rms)), sr=sr, hop_length=hop)
    beats = np.asarray(music.beats_s, float)
    segs = music.segments_s
    out = {k: np.zeros(len(segs)) for k in ("loudness_db", "onset_density", "brightness_hz",
                                           "tempo_bpm", "tonality")}
    for j, (a, b) in enumerate(segs):
        sel = (times >= a) & (times < b)
        if not sel.any():
            sel = np.argmin(np.abs(times - a)) == np.arange(len(times))
        out["loudness_db"][j] = 20 * np.log10(np.sqrt(np.mean(rms[sel] ** 2)) + 1e-6)
        out["onset_density"][j] = np.sum((onsets >= a) & (onsets < b)) / max(b - a, 1e-3)
        out["brightness_hz"][j] = float(np.mean(centroid[sel]))
        out["tonality"][j] = 1.0 - float(np.mean(flatness[sel]))
        local = beats[(beats >= a - 2.0) & (beats < b + 2.0)]
        ibi = np.diff(local)
        out["tempo_bpm"][j] = 60.0 / np.median(ibi) if len(ibi) else music.tempo_bpm
    return out


def _embed(columns) -> np.ndarray:
    return np.stack(columns, axis=1) * np.sqrt(AXIS_WEIGHTS)[None, :]


class AffectBackend(FeatureBackend):
    """Built-in backend: per-frame image statistics against music loudness, onsets and timbre."""

    name = "affect"
    #: 2: faces (dlib) per sampled frame in ``affect_faces``, speech probability per 32 ms in
    #: ``affect_speech``; skin share no longer in quality.
    version = "2"

    def __init__(self) -> None:
        self._consumer = None
        self._text = None
        self._faces = None
        self._speech = None

    def frame_consumers(self, info: VideoInfo) -> list:
        self._consumer = _FrameStatsConsumer()
        self._text = TextOverlayConsumer(info)
        self._faces = faces.FaceConsumer(info) if faces.unavailable_reason() is None else None
        self._speech = (speech.SpeechConsumer()
                        if info.has_audio and speech.unavailable_reason() is None else None)
        return [c for c in (self._consumer, self._text, self._faces, self._speech)
                if c is not None]

    def frame_state(self) -> Dict[str, np.ndarray]:
        state = {"affect_stats": self._consumer.stats(), "affect_text": self._text.scores()}
        if self._faces is not None:
            state["affect_faces"] = self._faces.state()
        if self._speech is not None:
            state.update(self._speech.state())
        return state

    def shot_features(self, state, shots) -> Tuple[np.ndarray, np.ndarray, Dict[str, np.ndarray]]:
        cues = shot_cues(state["affect_stats"], shots, state.get("affect_text"))
        cues.update(faces.shot_faces(state.get("affect_faces"), shots))
        cues.update(speech.shot_speech(state, shots))
        quality = shot_quality(cues, shots)
        usable = quality > 0.3
        features = _embed([
            quantiles(cues["motion"], usable),
            quantiles(cues["motion_peak"], usable),
            quantiles(cues["brightness"], usable),
            quantiles(0.5 * quantiles(cues["colourfulness"], usable)
                      + 0.5 * quantiles(cues["contrast"], usable), usable),
        ])
        return features, quality, cues

    def music_features(self, y, sr, music) -> Tuple[np.ndarray, Dict[str, np.ndarray]]:
        cues = segment_cues(y, sr, music)
        features = _embed([
            quantiles(cues["loudness_db"]),
            quantiles(cues["onset_density"]),
            quantiles(cues["brightness_hz"]),
            quantiles(0.5 * quantiles(cues["tempo_bpm"]) + 0.5 * quantiles(cues["tonality"])),
        ])
        return features, cues


#: Keyword options of :func:`create_backend` (none: affect needs no weights or settings).
OPTIONS = ()
create_backend = AffectBackend

"""Plain data passed between pipeline stages. Frame numbers are 0-based decoded-frame indices."""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Optional

import numpy as np


@dataclass(frozen=True)
class VideoInfo:
    """What a probe (and, once decoded, the decode pass) knows about a movie file.

    ``fps`` is the exact rational nominal rate (``Fraction(24000, 1001)``, never 23.976).
    ``start_frame`` is the start timecode counted in frames at the nominal rate (a file starting at
    01:00:00:00 at 24 fps has 86400); 0 when the file carries no timecode.
    """

    path: str
    fps: Fraction
    frame_count: int
    width: int
    height: int
    duration_s: float
    start_frame: int = 0
    start_timecode: Optional[str] = None
    variable_frame_rate: bool = False
    has_audio: bool = False


@dataclass
class ShotList:
    """Shots of one movie: contiguous ``[start, end)`` frame ranges covering every decoded frame.

    ``kinds[i]`` says how shot ``i`` begins: ``"start"`` (first shot), ``"cut"`` or ``"gradual"``.
    ``transitions`` holds ``[first, last]`` frames (inclusive) of gradual transitions; frames inside
    them are poor material. ``scenes[i]`` is the scene id (groups of adjacent shots) of shot ``i``.
    ``frame_times_s`` holds each decoded frame's presentation time (needed for VFR media).
    """

    fps: Fraction
    frame_count: int
    shots: np.ndarray
    kinds: list
    scenes: np.ndarray
    transitions: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.int64))
    frame_times_s: Optional[np.ndarray] = None

    @property
    def cuts(self) -> list:
        """First frame of every shot but the first."""
        return [int(s) for s in self.shots[1:, 0]]

    @property
    def lengths(self) -> np.ndarray:
        return (self.shots[:, 1] - self.shots[:, 0]).astype(np.int64)

    def durations_s(self, end_frame: Optional[int] = None) -> np.ndarray:
        """Shot durations in seconds: the one duration every stage uses.

        From the decoded frames' timestamps when known (right for VFR media), else from the
        nominal rate. With ``end_frame``, each shot counts only its frames before that frame
        (a shot starting at or after it lasts 0 s), as the spoiler guard needs.
        """
        starts = self.shots[:, 0]
        ends = self.shots[:, 1]
        if end_frame is not None:
            end_frame = int(np.clip(end_frame, 0, self.frame_count))
            starts, ends = np.minimum(starts, end_frame), np.minimum(ends, end_frame)
        if self.frame_times_s is not None and len(self.frame_times_s) == self.frame_count:
            t = np.append(self.frame_times_s, self.frame_times_s[-1] + 1.0 / float(self.fps))
            return t[ends] - t[starts]
        return (ends - starts).astype(np.int64) / float(self.fps)


@dataclass
class MusicAnalysis:
    """A music track's rhythm and structure. All times in seconds from the start of the file.

    ``cuts_s`` are the planned cut times (each on a beat, section starts included, 0 and the end
    excluded); they split the track into ``len(cuts_s) + 1`` segments.
    """

    path: str
    duration_s: float
    sample_rate: int
    tempo_bpm: float
    beats_s: np.ndarray
    downbeats_s: np.ndarray
    sections_s: np.ndarray
    cuts_s: np.ndarray
    energy: Optional[np.ndarray] = None  # per segment, 0..1 (loudness-based), for explanations

    @property
    def segments_s(self) -> np.ndarray:
        """``(S, 2)`` array of ``[start, end]`` for each music segment between planned cuts."""
        edges = np.concatenate([[0.0], np.asarray(self.cuts_s, float), [self.duration_s]])
        return np.stack([edges[:-1], edges[1:]], axis=1)


@dataclass
class GenerationProblem:
    """Everything a generator needs to pick one shot for every music segment.

    ``shot_features`` (N, D) and ``segment_features`` (S, D) live in one space where a small
    distance means "goes together". ``eligible`` (N,) masks shots a generator may use (spoiler
    guard, too short, black...). ``shot_quality`` (N,) in [0, 1] rates stand-alone trailer-worth.
    """

    shot_features: np.ndarray
    shot_durations_s: np.ndarray
    segment_features: np.ndarray
    segment_durations_s: np.ndarray
    eligible: np.ndarray
    scenes: np.ndarray
    shot_quality: Optional[np.ndarray] = None
    segment_energy: Optional[np.ndarray] = None
    beat_period_s: float = 0.5


@dataclass
class Assignment:
    """A generator's answer: ``shots[j]`` goes under music segment ``j``; ``scores`` in [0, 1]."""

    shots: np.ndarray
    scores: np.ndarray
    reasons: list


@dataclass
class PlacedClip:
    """One clip on the video track: source frames ``[source_start, source_end)`` of the movie
    placed at timeline frames ``[record_start, record_end)`` (both lengths equal)."""

    segment: int
    shot: int
    scene: int
    source_start: int
    source_end: int
    record_start: int
    record_end: int
    score: float
    reason: str
    extended_with: list = field(default_factory=list)
    tags: dict = field(default_factory=dict)  # e.g. {"shot_emotion": "tense"}, into metadata

    @property
    def length(self) -> int:
        return self.record_end - self.record_start


@dataclass
class CutPlan:
    """The assembled trailer: clips back to back from frame 0 to ``duration_frames`` at ``fps``
    (to ``title_start_frame`` when the end is kept for a title card)."""

    movie: VideoInfo
    music_path: str
    music_duration_s: float
    fps: Fraction
    duration_frames: int
    clips: list
    sections: list  # [(start_frame, end_frame, label)] on the timeline
    frame_times_s: Optional[np.ndarray] = None  # the movie's decoded-frame times (VFR)
    #: The music as edited to a spot length: ``[(source_start_s, source_end_s), ...]`` played
    #: back to back from timeline 0 (None: the whole track from its start).
    music_edits: Optional[list] = None
    #: With a title card: where the shots stop and the title starts, on the music's last big
    #: hit; the title runs to ``duration_frames`` (None: no title card).
    title_start_frame: Optional[int] = None

    @property
    def shots_end_frame(self) -> int:
        """Where the clips end: the title card's start, else the music's end."""
        return int(self.duration_frames if self.title_start_frame is None
                   else self.title_start_frame)

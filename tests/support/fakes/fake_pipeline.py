"""A small stand-in for ``core.pipeline.suggest`` with the same signature and result types.

Panel tests use it to drive the UI quickly and deterministically (fixed beats every 0.5 s, a cut
every 2 beats, 1 s shots taken in order); the end-to-end tests use the real pipeline.
``step_delay_s`` slows its progress loop so a test can cancel mid-run.
"""
from __future__ import annotations

import time
from fractions import Fraction

import numpy as np

from tests.support.plans import plan_from_sources
from trailersmith.core.errors import MediaError
from trailersmith.core.model import Assignment, CutPlan, MusicAnalysis, ShotList
from trailersmith.core.pipeline import SuggestResult
from trailersmith.core.stages import MovieAnalysis, MusicResult


def _music_duration(path: str) -> float:
    import av

    try:
        with av.open(path) as container:
            return container.duration / 1_000_000
    except (av.error.FFmpegError, OSError) as exc:
        raise MediaError(f"Music file cannot be read: {path}") from exc


def build_timeline(plan: CutPlan):
    """OTIO timeline in our own shape: shots on "Video 1", the music on "Audio 1"."""
    import opentimelineio as otio

    rate = float(plan.fps)
    movie = plan.movie
    video = otio.schema.Track(name="Video 1", kind=otio.schema.TrackKind.Video)
    available = otio.opentime.TimeRange(otio.opentime.RationalTime(movie.start_frame, rate),
                                        otio.opentime.RationalTime(movie.frame_count, rate))
    for clip in plan.clips:
        ref = otio.schema.ExternalReference(target_url=movie.path, available_range=available)
        video.append(otio.schema.Clip(
            name=f"shot {clip.shot}", media_reference=ref,
            source_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(movie.start_frame + clip.source_start, rate),
                otio.opentime.RationalTime(clip.length, rate))))
    audio = otio.schema.Track(name="Audio 1", kind=otio.schema.TrackKind.Audio)
    music_frames = plan.duration_frames
    audio.append(otio.schema.Clip(
        name="music", media_reference=otio.schema.ExternalReference(
            target_url=plan.music_path, available_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, rate),
                otio.opentime.RationalTime(int(plan.music_duration_s * rate), rate))),
        source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate),
                                             otio.opentime.RationalTime(music_frames, rate))))
    timeline = otio.schema.Timeline(name="fake trailer")
    timeline.tracks.append(video)
    timeline.tracks.append(audio)
    return timeline


def make_fake_suggest(step_delay_s: float = 0.0, steps: int = 20, calls: list = None):
    """A ``suggest`` look-alike; ``calls`` collects ``(movie, music, options)`` per call."""

    def suggest(movie_path, music_path, *, options=None, reporter=None):
        from trailersmith.core.media import probe_video
        from trailersmith.core.progress import ensure_reporter

        reporter = ensure_reporter(reporter)
        if calls is not None:
            calls.append((movie_path, music_path, options))
        info = probe_video(movie_path)
        for i in range(steps):
            reporter.report("Reading movie frames", i, steps)
            time.sleep(step_delay_s)
        reporter.report("Analysing music", 0, 0)
        duration = _music_duration(music_path)
        beats = np.arange(0.0, duration, 0.5)
        cuts = beats[2::2][:-1] if len(beats) > 3 else np.array([])
        music = MusicAnalysis(path=music_path, duration_s=duration, sample_rate=22050,
                              tempo_bpm=120.0, beats_s=beats, downbeats_s=beats[::4],
                              sections_s=np.array([0.0, duration / 2]), cuts_s=cuts)
        fps = info.fps
        shot_len = int(round(float(fps)))
        n_shots = max(1, info.frame_count // shot_len)
        shots = np.array([[i * shot_len, (i + 1) * shot_len] for i in range(n_shots)])
        shots[-1, 1] = info.frame_count
        seed = getattr(options, "seed", 0) or 0
        edges = np.round(np.concatenate([[0.0], cuts, [duration]]) * float(fps)).astype(int)
        chosen = [(j + seed) % n_shots for j in range(len(edges) - 1)]
        sources = [(int(shots[shot, 0]), int(shots[shot, 0] + edges[j + 1] - edges[j]))
                   for j, shot in enumerate(chosen)]
        total = int(edges[-1])
        plan = plan_from_sources(info, sources, music_path=music_path, music_duration_s=duration,
                                 fps=Fraction(fps), shots=chosen, scenes=[s // 3 for s in chosen],
                                 reasons=lambda j: f"fake choice {j}",
                                 sections=[(0, total // 2, "verse"), (total // 2, total, "chorus")])
        clips = plan.clips
        t = np.linspace(0, duration, 400)
        env = 0.3 + 0.7 * np.abs(np.sin(t * 2))
        waveform = np.stack([-env, env], axis=1)
        shot_list = ShotList(fps=Fraction(fps), frame_count=info.frame_count, shots=shots,
                             kinds=["start"] + ["cut"] * (n_shots - 1),
                             scenes=np.arange(n_shots) // 3)
        movie = MovieAnalysis(info=info, shots=shot_list, shot_features=np.zeros((n_shots, 4)),
                              shot_quality=np.ones(n_shots), shot_cues={})
        result = SuggestResult(
            movie=movie,
            music=MusicResult(analysis=music, segment_features=np.zeros((len(clips), 4)),
                              segment_cues={}, waveform=waveform),
            assignment=Assignment(shots=np.array([c.shot for c in clips]),
                                  scores=np.full(len(clips), 0.5),
                                  reasons=[c.reason for c in clips]),
            plan=plan, timeline=build_timeline(plan))
        reporter.report("Building the timeline", 1, 1)
        return result

    return suggest

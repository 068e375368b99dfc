"""build_timeline: frame-exact OTIO in the shape DaVinci Resolve's own export has."""
from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import opentimelineio as otio
import pytest

from tests.support.plans import plan_from_sources, video_info
from trailersmith.core.errors import ParameterError
from trailersmith.core.timeline import build_timeline

NTSC = Fraction(24000, 1001)


def make_plan(fps=NTSC, start_frame=86400, lengths=(37, 61, 12, 90, 45, 23), seed=0,
              frame_times=None, movie_frames=5000):
    """A hand-made plan: shuffled, non-overlapping source windows placed back to back."""
    rng = np.random.default_rng(seed)
    movie = video_info(fps=fps, frame_count=movie_frames, start_frame=start_frame,
                       start_timecode="01:00:00:00" if start_frame else None)
    slots = [int(s) for s in rng.permutation(len(lengths))]
    sources = []
    for segment, length in enumerate(lengths):
        source = 100 + slots[segment] * 400 + int(rng.integers(0, 50))
        sources.append((source, source + length))
    position = sum(lengths)
    sections = [(0, lengths[0] + lengths[1], "intro"), (lengths[0] + lengths[1], position, "drop")]
    return plan_from_sources(movie, sources, shots=[s * 3 for s in slots],
                             scenes=lambda j: j // 2, scores=lambda j: round(0.4 + 0.1 * j, 2),
                             reasons=lambda j: f"calm shot for a quiet bar ({j})",
                             extended_with=lambda j: [slots[j] * 3 + 1] if j == 2 else [],
                             sections=sections, frame_times=frame_times)


def plain(meta) -> dict:
    """OTIO metadata as plain Python values (OTIO's vectors do not compare equal to lists)."""
    return {k: v if isinstance(v, (str, int, float)) else list(v) for k, v in meta.items()}


def frames(time) -> int:
    assert float(time.value).is_integer(), f"not a whole frame: {time}"
    return int(time.value)


def test_clips_are_frame_exact_in_the_media_timecode():
    plan = make_plan()
    timeline = build_timeline(plan, name="Trailer")
    video = timeline.tracks[0]
    assert len(video) == len(plan.clips)
    for clip, placed in zip(video, plan.clips):
        assert clip.source_range.start_time.rate == pytest.approx(24000 / 1001, abs=1e-12)
        assert frames(clip.source_range.start_time) == 86400 + placed.source_start
        assert frames(clip.source_range.duration) == placed.length
        assert frames(video.range_of_child(clip).start_time) == placed.record_start


def test_no_gaps_and_the_video_ends_where_the_music_ends():
    plan = make_plan()
    timeline = build_timeline(plan, name="Trailer")
    video, audio = timeline.tracks
    assert all(isinstance(item, otio.schema.Clip) for item in video)
    position = 0
    for clip in video:
        placed = video.range_of_child(clip)
        assert frames(placed.start_time) == position
        position += frames(placed.duration)
    assert position == plan.duration_frames
    assert frames(video.duration()) == frames(audio.duration()) == plan.duration_frames


def test_resolve_shape(tmp_path):
    """Exactly what Resolve's own OTIO export looks like (it rejects other OTIO silently)."""
    plan = make_plan()
    path = tmp_path / "trailer.otio"
    otio.adapters.write_to_file(build_timeline(plan, name="Trailer"), str(path))
    raw = json.loads(path.read_text())

    assert raw["OTIO_SCHEMA"].startswith("Timeline.")
    start = raw["global_start_time"]
    assert start["value"] == 86400 and start["rate"] == pytest.approx(24000 / 1001)
    tracks = raw["tracks"]["children"]
    assert [(t["name"], t["kind"]) for t in tracks] == [("Video 1", "Video"), ("Audio 1", "Audio")]

    def check_clip(clip, path, available_start, available_duration):
        assert clip["OTIO_SCHEMA"].startswith("Clip.")
        assert clip["active_media_reference_key"] == "DEFAULT_MEDIA"
        assert list(clip["media_references"]) == ["DEFAULT_MEDIA"]
        ref = clip["media_references"]["DEFAULT_MEDIA"]
        assert ref["OTIO_SCHEMA"].startswith("ExternalReference.")
        assert ref["target_url"] == path  # bare absolute path, not file://
        available = ref["available_range"]
        assert available["start_time"]["value"] == available_start
        assert available["duration"]["value"] == available_duration
        source = clip["source_range"]
        first = source["start_time"]["value"]
        assert available_start <= first
        assert first + source["duration"]["value"] <= available_start + available_duration

    video_items = tracks[0]["children"]
    assert len(video_items) == len(plan.clips)
    for clip in video_items:
        check_clip(clip, "/media/films/feature.mov", 86400, plan.movie.frame_count)
    (music,) = tracks[1]["children"]
    check_clip(music, "/media/music/track.ogg", 0, plan.duration_frames)
    assert music["source_range"]["start_time"]["value"] == 0
    assert music["source_range"]["duration"]["value"] == plan.duration_frames


def test_global_start_follows_the_rate():
    timeline = build_timeline(make_plan(fps=Fraction(25), start_frame=0), name="PAL")
    assert timeline.global_start_time.value == 25 * 3600
    assert timeline.global_start_time.rate == 25
    first = timeline.tracks[0][0]
    first_clip = make_plan(fps=Fraction(25)).clips[0]
    assert frames(first.source_range.start_time) == first_clip.source_start


def test_markers_and_metadata_explain_every_choice():
    plan = make_plan()
    timeline = build_timeline(plan, name="Trailer")
    sections = timeline.tracks.markers
    assert [m.name for m in sections] == ["intro", "drop"]
    assert [frames(m.marked_range.start_time) for m in sections] == [s[0] for s in plan.sections]
    for clip, placed in zip(timeline.tracks[0], plan.clips):
        meta = clip.metadata["trailersmith"]
        assert meta["shot"] == placed.shot and meta["scene"] == placed.scene
        assert meta["segment"] == placed.segment and meta["score"] == placed.score
        assert meta["why"] == placed.reason
        assert list(meta["extended_with"]) == placed.extended_with
        (marker,) = clip.markers
        assert frames(marker.marked_range.start_time) == 86400 + placed.source_start
        assert placed.reason in marker.comment and f"Shot {placed.shot}" in marker.name
    relabelled = build_timeline(plan, name="T", section_labels=["calm", "loud"])
    assert [m.name for m in relabelled.tracks.markers] == ["calm", "loud"]
    with pytest.raises(ParameterError, match="section labels"):
        build_timeline(plan, name="T", section_labels=["only one"])


def test_vfr_source_times_come_from_the_frame_timestamps():
    """Every third frame dropped: decoded frame i shows nominal frame i + i // 2."""
    nominal = np.array([n for n in range(7500) if n % 3 != 2])
    times = nominal * 1001 / 24000
    plan = make_plan(start_frame=0, frame_times=times, movie_frames=len(nominal))
    timeline = build_timeline(plan, name="VFR")
    for clip, placed in zip(timeline.tracks[0], plan.clips):
        assert frames(clip.source_range.start_time) == nominal[placed.source_start]
        assert frames(clip.source_range.duration) == placed.length
    available = timeline.tracks[0][0].media_reference.available_range
    assert frames(available.duration) == nominal[-1] + 1


def test_otio_round_trip_keeps_frames_exact(tmp_path):
    plan = make_plan()
    timeline = build_timeline(plan, name="Trailer")
    path = tmp_path / "t.otio"
    otio.adapters.write_to_file(timeline, str(path))
    back = otio.adapters.read_from_file(str(path))
    assert len(back.find_clips()) == len(plan.clips) + 1
    for a, b in zip(timeline.find_clips(), back.find_clips()):
        assert a.source_range == b.source_range
    for a, b in zip(timeline.tracks[0], back.tracks[0]):
        assert plain(a.metadata["trailersmith"]) == plain(b.metadata["trailersmith"])
    assert back.metadata["trailersmith"]["fps"] == "24000/1001"


@pytest.mark.parametrize("breakage, message", [
    ("gap", "expected"), ("overlap", "expected"), ("short", "music lasts"),
    ("lengths", "must be equal"), ("outside", "outside the movie"), ("empty", "no clips")])
def test_broken_plans_are_refused(breakage, message):
    plan = make_plan()
    clips = plan.clips
    if breakage == "gap":
        clips[2].record_start += 1
    elif breakage == "overlap":
        clips[2].record_start -= 1
    elif breakage == "short":
        plan.duration_frames += 1
    elif breakage == "lengths":
        clips[1].source_end += 1
    elif breakage == "outside":
        clips[0].source_start, clips[0].source_end = 4990, 4990 + clips[0].length
    else:
        plan.clips = []
    with pytest.raises(ParameterError, match=message):
        build_timeline(plan, name="Broken")

"""The EDL carries the music: audio events after the picture's, one per music clip, record
timecodes matching the picture; our readers still see only the editor's video clips."""
from __future__ import annotations

import dataclasses
import re
from fractions import Fraction

import pytest

from tests.support.plans import plan_from_sources, video_info
from trailersmith.adapters import edl
from trailersmith.adapters.formats import read_timeline, write_timelines
from trailersmith.core.recut import read_edited_clips
from trailersmith.core.timebase import frames_to_timecode
from trailersmith.core.timeline import build_timeline

EVENT = re.compile(r"^(\d{3})\s+(\S+)\s+(\S+)\s+C\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$")
FPS = Fraction(24)
START = 86400  # 01:00:00:00


def _plan(edits=None, **movie):
    plan = plan_from_sources(video_info(**movie), [(0, 48), (100, 172), (300, 324)],
                             music_path="/media/music/theme.ogg")  # 144 frames = 6 s
    plan.music_edits = edits
    return plan


def _events(text):
    out = []
    lines = text.split("\n")
    for k, line in enumerate(lines):
        m = EVENT.match(line.strip())
        if m:
            comments = []
            for follow in lines[k + 1:]:
                if not follow.startswith("*"):
                    break
                comments.append(follow)
            out.append((*m.groups(), comments))
    return out


def tc(frame):
    return frames_to_timecode(frame, FPS)


@pytest.mark.parametrize("edits, sources", [
    (None, [(0, 144)]),  # the whole track from its start
    ([(10.0, 12.0), (40.0, 44.0)], [(240, 288), (960, 1056)]),  # a --length edit: two pieces
])
def test_music_events_follow_the_picture_with_matching_record_times(edits, sources):
    plan = _plan(edits)
    events = _events(edl.write_to_string(build_timeline(plan, name="t")))
    video = [e for e in events if e[2] == "V"]
    audio = [e for e in events if e[2] == "A"]
    assert [int(e[0]) for e in events] == list(range(1, len(events) + 1))
    assert len(video) == 3 and len(audio) == len(sources)
    assert events[:3] == video  # the picture first, as before
    assert video[0][5] == audio[0][5] == tc(START)  # both start at the timeline's start
    assert video[-1][6] == audio[-1][6] == tc(START + plan.duration_frames)  # and end together
    record = START
    for event, (first, end) in zip(audio, sources):
        assert (event[3], event[4]) == (tc(first), tc(end))  # the music's own source time
        assert (event[5], event[6]) == (tc(record), tc(record + end - first))
        record += end - first
        assert any(c.startswith("* FROM CLIP NAME:") and "theme.ogg" in c for c in event[7])
        assert "* FROM CLIP: /media/music/theme.ogg" in event[7]


def test_with_the_shots_own_sound_on_a1_the_music_is_a2():
    plan = _plan()
    plan = dataclasses.replace(plan, movie=dataclasses.replace(plan.movie, has_audio=True))
    events = _events(edl.write_to_string(build_timeline(plan, name="t", source_audio=True)))
    assert [e[2] for e in events] == ["B", "B", "B", "A2"]


def test_readers_still_return_only_the_editors_video_clips(tmp_path):
    plan = _plan([(10.0, 12.0), (40.0, 44.0)], start_frame=START)
    (path,) = write_timelines(build_timeline(plan, name="t"), [str(tmp_path / "t.edl")])
    back = read_timeline(path, rate=24)
    assert back.global_start_time.value == START
    video = [t for t in back.tracks if t.kind == "Video"]
    audio = [t for t in back.tracks if t.kind == "Audio"]
    assert len(video) == 1 and len(list(video[0].find_clips())) == 3
    assert [c.name for c in audio[0].find_clips()] == ["theme.ogg (1/2)", "theme.ogg (2/2)"]
    clips, _ = read_edited_clips(back, movie_path=plan.movie.path, fps=FPS, start_frame=START,
                                 unnamed_are_movie=True)
    assert [(c.source_start, c.length, c.record_start) for c in clips] == [
        (c.source_start, c.length, c.record_start) for c in plan.clips]

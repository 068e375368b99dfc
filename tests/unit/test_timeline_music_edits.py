"""A spot-length plan on the timeline: one music clip per edit range, markers in source time."""
from tests.support.plans import plan_from_sources, video_info
from trailersmith.core.timeline import build_timeline


def _plan():
    plan = plan_from_sources(video_info(), [(0, 48), (100, 172)])  # 120 frames = 5 s at 24
    plan.music_edits = [(10.0, 12.0), (40.0, 43.0)]  # 2 s then the last 3 s of a 43 s track
    return plan


def test_each_edit_range_is_a_music_clip_with_its_source_in_point():
    timeline = build_timeline(_plan(), name="t")
    music = timeline.tracks[1]
    assert [c.source_range.start_time.to_frames() for c in music] == [240, 960]
    assert [c.source_range.duration.to_frames() for c in music] == [48, 72]
    assert sum(c.source_range.duration.to_frames() for c in timeline.tracks[0]) == 120
    ref = music[1].media_reference
    assert ref.available_range.duration.to_frames() >= 43 * 24  # the whole file


def test_beat_markers_sit_in_each_clip_at_its_source_frames():
    timeline = build_timeline(_plan(), name="t", beat_markers="downbeats",
                              downbeats_s=[0.0, 1.0, 2.0, 4.0])  # edited time line
    first, second = timeline.tracks[1]
    assert [m.marked_range.start_time.to_frames() for m in first.markers] == [240, 264]
    # edited 2 s and 4 s are 0 s and 2 s into the second range, which starts at source 40 s
    assert [m.marked_range.start_time.to_frames() for m in second.markers] == [960, 1008]

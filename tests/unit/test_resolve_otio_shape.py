"""The OTIO handed to Resolve has the shape of Resolve's own OTIO export: source ranges in the
media's timecode, DEFAULT_MEDIA references with available_range, bare absolute paths,
global_start_time, tracks "Video 1"/"Audio 1".

``RESOLVE_EXPORT_SHAPE`` below is written from those documented facts (DESIGN.md, "Editors") and
the ``Resolve_OTIO`` metadata keys Resolve writes; it is not a file exported by a real Resolve.
"""
import json
from fractions import Fraction
from pathlib import Path

import pytest

from tests.support.fakes.fake_resolve import FakeResolve
from tests.support.plans import plan_from_sources
from tests.support.timecoded_media import timecoded_movie_and_music
from trailersmith.adapters.resolve.host import ResolveHost
from trailersmith.adapters.resolve.otio_shape import (
    bare_path,
    resolve_shape_problems,
    to_resolve_shape,
)

pytestmark = pytest.mark.resolve  # against the fake Resolve (tests/support/fakes)

# The skeleton of a Resolve export: schema of every level and the keys each object carries.
RESOLVE_EXPORT_SHAPE = {
    "timeline": ("Timeline.1", {"global_start_time", "tracks", "metadata", "name"}),
    "stack": ("Stack.1", {"children"}),
    "track": ("Track.1", {"name", "kind", "children", "metadata"}),
    "clip": ("Clip.2", {"media_references", "active_media_reference_key", "source_range"}),
    "reference": ("ExternalReference.1", {"target_url", "available_range"}),
}


def check_resolve_export_shape(doc, *, movie, start_frame, frame_count, sources, music):
    """Assert every documented property of Resolve's export on the JSON of an OTIO file."""
    def has(obj, level):
        schema, keys = RESOLVE_EXPORT_SHAPE[level]
        assert obj["OTIO_SCHEMA"] == schema, (level, obj["OTIO_SCHEMA"])
        assert keys <= set(obj), (level, keys - set(obj))

    has(doc, "timeline")
    start = doc["global_start_time"]
    assert start["OTIO_SCHEMA"] == "RationalTime.1" and start["value"] == 3600 * round(
        start["rate"])  # 01:00:00:00, Resolve's default timeline start
    has(doc["tracks"], "stack")
    tracks = doc["tracks"]["children"]
    assert [(t["name"], t["kind"]) for t in tracks] == [("Video 1", "Video"), ("Audio 1", "Audio")]
    for track in tracks:
        has(track, "track")
        assert track["metadata"]["Resolve_OTIO"]["Locked"] is False
    video_sources = []
    for track in tracks:
        for clip in track["children"]:
            has(clip, "clip")
            assert clip["active_media_reference_key"] == "DEFAULT_MEDIA"
            assert list(clip["media_references"]) == ["DEFAULT_MEDIA"]
            ref = clip["media_references"]["DEFAULT_MEDIA"]
            has(ref, "reference")
            url = ref["target_url"]
            assert "://" not in url and Path(url).is_absolute() and Path(url).is_file()
            available = ref["available_range"]
            a0 = available["start_time"]["value"]
            a1 = a0 + available["duration"]["value"]
            s0 = clip["source_range"]["start_time"]["value"]
            s1 = s0 + clip["source_range"]["duration"]["value"]
            assert a0 <= s0 < s1 <= a1, (clip["name"], s0, s1, a0, a1)
            if clip["metadata"].get("trailersmith", {}).get("role") == "kdenlive_import_tail":
                # the disabled 1-frame clip for Kdenlive 26's OTIO import (adapters/otio_json.py):
                # last on its track, at the media's first frame, after the music ends
                assert clip is track["children"][-1] and clip["enabled"] is False
                assert (s0, s1) == (a0, a0 + 1)
                continue
            if track["kind"] == "Video":
                assert url == movie
                assert (a0, available["duration"]["value"]) == (start_frame, frame_count)
                video_sources.append((int(s0), int(s1)))
            else:
                assert url == music and s0 == 0
    # source ranges are the media's own timecode: first decoded frame = start_frame
    assert video_sources == [(start_frame + a, start_frame + b) for a, b in sources]


@pytest.fixture(scope="module")
def timecoded_movie(tmp_path_factory):
    movie, music = timecoded_movie_and_music(tmp_path_factory.mktemp("shape"), 10, 5)
    return str(movie), str(music)


def _plan(movie, music):
    from trailersmith.core.media import probe_video

    info = probe_video(movie)
    assert info.start_frame == 86400
    sources = [(120, 168), (0, 24), (48, 96)]
    plan = plan_from_sources(info, sources, music_path=music, fps=Fraction(24), scenes=0,
                             scores=1.0, reasons="t")
    return plan, sources


def test_the_file_sent_to_resolve_has_resolves_export_shape(timecoded_movie, tmp_path):
    from trailersmith.core.timeline import build_timeline

    movie, music = timecoded_movie
    plan, sources = _plan(movie, music)
    fake = FakeResolve()
    fake.GetProjectManager().CreateProject("P")
    sent = ResolveHost(fake).send_timeline(build_timeline(plan, name="t"), base_name="T",
                                           sections=plan.sections, workdir=str(tmp_path))
    doc = json.loads(Path(sent.otio_path).read_text())
    check_resolve_export_shape(doc, movie=movie, start_frame=86400,
                               frame_count=plan.movie.frame_count, sources=sources, music=music)


def test_shaping_fixes_a_timeline_resolve_would_reject(timecoded_movie):
    import opentimelineio as otio

    movie, music = timecoded_movie
    rate = 24.0
    rt = otio.opentime.RationalTime
    video = otio.schema.Track(name="V", kind=otio.schema.TrackKind.Video)
    video.append(otio.schema.Clip(
        name="shot", media_reference=otio.schema.ExternalReference(
            target_url=Path(movie).as_uri()),
        source_range=otio.opentime.TimeRange(rt(86400 + 24, rate), rt(48, rate))))
    audio = otio.schema.Track(name="A", kind=otio.schema.TrackKind.Audio)
    audio.append(otio.schema.Clip(
        name="music", media_reference=otio.schema.ExternalReference(target_url=music),
        source_range=otio.opentime.TimeRange(rt(0, rate), rt(48, rate))))
    timeline = otio.schema.Timeline(name="raw")
    timeline.tracks.extend([video, audio])
    timeline.tracks.markers.append(otio.schema.Marker(name="section"))
    problems = resolve_shape_problems(timeline)
    assert any("global_start_time" in p for p in problems)
    assert any("'Video 1'" in p for p in problems) and any("'Audio 1'" in p for p in problems)
    assert any("bare absolute path" in p for p in problems)
    assert any("available_range" in p for p in problems)

    shaped = to_resolve_shape(timeline)
    assert resolve_shape_problems(shaped) == []
    assert resolve_shape_problems(timeline) == problems  # the input is left alone
    assert shaped.global_start_time == rt(86400, rate)
    clip = shaped.tracks[0][0]
    ref = clip.media_references()["DEFAULT_MEDIA"]
    assert ref.target_url == movie
    assert ref.available_range.start_time.value == 86400  # probed: the file's own timecode
    assert ref.available_range.duration.value == 240
    assert clip.source_range.start_time.value == 86400 + 24  # kept as given
    assert len(shaped.tracks.markers) == 0  # section markers go through the API instead


def test_a_source_range_outside_the_media_is_reported(timecoded_movie):
    from trailersmith.core.timeline import build_timeline

    plan, _ = _plan(*timecoded_movie)
    timeline = build_timeline(plan, name="t")
    clip = timeline.tracks[0][0]
    import opentimelineio as otio

    # the classic mistake: 0-based frames for a file whose timecode starts at 01:00:00:00
    clip.source_range = otio.opentime.TimeRange(otio.opentime.RationalTime(120, 24),
                                                clip.source_range.duration)
    problems = resolve_shape_problems(to_resolve_shape(timeline))
    assert len(problems) == 1 and "outside the media's timecode range 86400-86640" in problems[0]


@pytest.mark.parametrize("url, expected", [
    ("file:///media/a%20b.mp4", "/media/a b.mp4"),
    ("/media/x.mov", "/media/x.mov"),
    ("file://localhost/m/y.mp4", "/m/y.mp4"),
])
def test_bare_path(url, expected):
    assert bare_path(url) == expected


def test_bare_path_refuses_remote_media():
    from trailersmith.core.errors import ParameterError

    with pytest.raises(ParameterError, match="local files"):
        bare_path("https://example.com/movie.mp4")

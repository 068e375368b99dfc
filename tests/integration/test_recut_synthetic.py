"""recut on synthetic media: the editor's edits survive a change of music."""
import numpy as np
import opentimelineio as otio
import pytest

from tests.support.recut_checks import check_recut_plan
from trailersmith.core import synthetic
from trailersmith.core.options import SuggestOptions
from trailersmith.core.pipeline import suggest
from trailersmith.core.recut import KEEP_MARKER, recut


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    d = tmp_path_factory.mktemp("recut")
    movie = synthetic.make_movie(str(d / "movie.mp4"), seed=5, size=(160, 90))
    synthetic.make_music(str(d / "a.wav"), tempo_bpm=128, duration_s=20.0, loud_from_s=10.0)
    synthetic.make_music(str(d / "b.wav"), tempo_bpm=100, duration_s=26.0, loud_from_s=8.0,
                         seed=4)
    return d, movie


def _edit(timeline, movie_path, movie_frames, start_frame=0):
    """Delete two clips, swap two, trim one, insert an unchosen window, keep two.

    ``start_frame``: the movie's start timecode in frames (source ranges count from it)."""
    track = timeline.tracks[0]
    clips = list(track)
    rate = clips[0].source_range.start_time.rate
    used = np.zeros(movie_frames, bool)
    for c in clips:
        s = int(c.source_range.start_time.value) - start_frame
        used[s:s + int(c.source_range.duration.value)] = True
    del track[4]
    del track[1]
    track[2], track[3] = track[3].deepcopy(), track[2].deepcopy()
    trimmed = track[0]
    sr = trimmed.source_range
    trimmed.source_range = otio.opentime.TimeRange(sr.start_time, otio.opentime.RationalTime(
        max(6, sr.duration.value - 5), rate))
    free = np.flatnonzero(~used[: int(movie_frames * 0.8)])
    start = int(free[len(free) // 2]) + start_frame
    new = track[1].deepcopy()
    new.source_range = otio.opentime.TimeRange(otio.opentime.RationalTime(start, rate),
                                               otio.opentime.RationalTime(10, rate))
    new.markers.clear()
    track.insert(2, new)
    for k in (1, 4):  # an editor's marker sits on the clip's first source frame
        track[k].markers.append(otio.schema.Marker(
            name=KEEP_MARKER, marked_range=otio.opentime.TimeRange(
                track[k].source_range.start_time, otio.opentime.RationalTime(0, rate))))
    return timeline


def test_recut_keeps_the_editors_clips_in_order_and_fills_the_rest(media, tmp_path):
    d, movie = media
    first = suggest(movie.path, str(d / "a.wav"), SuggestOptions(detector="histogram"))
    edited = _edit(first.timeline.deepcopy(), movie.path, movie.frame_count)
    path = tmp_path / "edited.otio"
    otio.adapters.write_to_file(edited, str(path))
    edited = otio.adapters.read_from_file(str(path))
    mine = [(int(c.source_range.start_time.value), int(c.source_range.duration.value),
             any(m.name == KEEP_MARKER for m in c.markers)) for c in edited.tracks[0]]
    result = recut(edited, str(d / "b.wav"), SuggestOptions(detector="histogram"))
    plan, report = result.plan, result.report
    # the editor's clips come back first, in the editor's order
    editor = [c for c in plan.clips if c.tags.get("recut") != "filled"]
    assert report.counts()["dropped"] == 0, report.as_dict()
    assert [c.tags["editor_position"] for c in editor] == list(range(len(mine)))
    for clip, (start, length, keep) in zip(editor, mine):
        if keep:
            assert (clip.source_start, clip.length) == (start, length)
        else:  # the editor's in-point survives when its frames are free
            assert clip.source_start == start
    check_recut_plan(result, movie.frame_count, 0.9)
    counts = report.counts()
    assert counts["dropped"] == 0, report.as_dict()
    assert counts["kept"] == 2 and counts["dropped"] == 0
    assert counts["filled"] == len([c for c in plan.clips if c.tags.get("recut") == "filled"])
    assert counts["filled"] > 0  # the new track is longer than the edited cut


@pytest.mark.parametrize("suffix", [".otio", ".xml", ".kdenlive", ".edl"])
def test_recut_cli_reads_the_edit_back_from_every_format(media, tmp_path, suffix, capsys):
    import json

    from trailersmith.adapters import write_timeline
    from trailersmith.cli import main

    d, movie = media
    first = suggest(movie.path, str(d / "a.wav"), SuggestOptions(detector="histogram"))
    edited = _edit(first.timeline.deepcopy(), movie.path, movie.frame_count)
    path = str(tmp_path / f"edited{suffix}")
    write_timeline(edited, path)
    expected = [int(c.source_range.start_time.value) for c in edited.tracks[0]]
    argv = ["recut", path, str(d / "b.wav"), "-o", str(tmp_path / "new.otio"), "--json",
            "--detector", "histogram"]
    if suffix == ".edl":
        argv += ["--movie", movie.path]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    editor = [c for c in report["clips"] if c["status"] != "dropped"]
    assert [c["position"] for c in editor] == list(range(len(expected)))
    assert [c["new_source"][0] for c in editor] == expected
    if suffix != ".edl":  # an EDL carries no markers, so nothing is kept
        assert report["counts"]["kept"] == 2
    assert main(argv) == 2  # the output exists now: never overwritten without --force

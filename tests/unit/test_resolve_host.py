"""Send to Resolve against the fake Resolve: unique names, duplicate-name None handled, markers at
the right frames, clips found by file path in the media pool, existing timelines untouched,
editor state restored, version checks."""
import sys
from pathlib import Path

import pytest

from tests.support.fakes.fake_resolve import FakeMediaPool, FakeResolve
from tests.support.plans import plan_from_sources, video_info
from tests.support.timecoded_media import timecoded_movie_and_music
from trailersmith.adapters.resolve.host import ResolveError, ResolveHost, ResolveVersion
from trailersmith.core.timeline import build_timeline

pytestmark = pytest.mark.resolve  # against the fake Resolve (tests/support/fakes)

SECTIONS = [(0, 72, "intro"), (72, 168, "build"), (168, 240, "drop")]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A 20 s movie whose timecode starts at 01:00:00:00 (24 fps) and a 10 s music file."""
    movie, music = timecoded_movie_and_music(tmp_path_factory.mktemp("resolve_media"), 20, 10)
    return str(movie), str(music)


def make_plan(movie, music):
    info = video_info(path=movie, fps=24, frame_count=480, width=160, height=90,
                      start_frame=86400, start_timecode="01:00:00:00")
    sources = [(300, 372), (24, 96), (200, 272), (400, 424)]
    return plan_from_sources(info, sources, music_path=music, music_duration_s=10.0,
                             sections=SECTIONS)


@pytest.fixture
def resolve(files):
    """A Studio 19.1 with project "Demo": the movie already in a "Footage" bin (selected), an
    existing timeline "Edit v3" with a marker, current folder "Footage"."""
    fake = FakeResolve()
    project = fake.GetProjectManager().CreateProject("Demo")
    pool = project.GetMediaPool()
    footage = pool.AddSubFolder(pool.GetRootFolder(), "Footage")
    pool.SetCurrentFolder(footage)
    (movie_item,) = pool.ImportMedia([files[0]])
    pool.SetSelectedClip(movie_item)
    edit = pool.CreateEmptyTimeline("Edit v3")
    return fake, project, pool, footage, movie_item, edit


def snapshot(timeline):
    return (timeline.GetName(), timeline.GetStartFrame(), timeline.GetEndFrame(),
            timeline.GetMarkers(), timeline.GetTrackCount("video"),
            timeline.GetTrackCount("audio"))


def test_send_imports_a_new_timeline_with_markers_and_pool_clips(resolve, files, tmp_path):
    fake, project, pool, footage, movie_item, edit = resolve
    host = ResolveHost.connect(fake)
    before_edit = snapshot(edit)
    plan = make_plan(*files)
    sent = host.send_timeline(build_timeline(plan, name="x"), base_name="Trailer - movie x music",
                              sections=plan.sections, workdir=str(tmp_path))
    assert sent.name == "Trailer - movie x music"
    path, options = pool.import_calls[-1]
    assert options == {"timelineName": sent.name, "importSourceClips": True}
    assert path == sent.otio_path and Path(path).parent == tmp_path
    new = project.GetCurrentTimeline()
    assert new.GetName() == sent.name and new is not edit
    # section markers at each section's first frame, counted from the timeline start
    markers = new.GetMarkers()
    assert sorted(markers) == [0.0, 72.0, 168.0]
    assert [markers[f]["name"] for f in sorted(markers)] == ["intro", "build", "drop"]
    assert [markers[f]["duration"] for f in sorted(markers)] == [72.0, 96.0, 72.0]
    assert sent.markers == (0, 72, 168)
    # the clips on the new timeline are the media pool's clip of that file, not a second copy
    items = new.GetItemListInTrack("video", 1)
    assert [i.GetMediaPoolItem() for i in items] == [movie_item] * 4
    assert [i.GetSourceStartFrame() for i in items] == [c.source_start for c in plan.clips]
    assert [i.GetStart() - new.GetStartFrame() for i in items] == [c.record_start
                                                                   for c in plan.clips]
    assert new.GetStartFrame() == 86400 and new.GetTrackName("video", 1) == "Video 1"
    movie_copies = [c for c in pool._items() if c.GetClipProperty("File Path") == files[0]]
    assert movie_copies == [movie_item]
    # the music was not in the pool: it is imported into the Trailersmith bin
    music_item = new.GetItemListInTrack("audio", 1)[0].GetMediaPoolItem()
    assert music_item.GetClipProperty("File Path") == files[1]
    trailersmith_bin = [f for f in pool.GetRootFolder().GetSubFolderList()
                        if f.GetName() == "Trailersmith"][0]
    assert music_item in trailersmith_bin.GetClipList()
    # the user's bin is current again and the existing timeline did not change
    assert pool.GetCurrentFolder() is footage
    assert snapshot(edit) == before_edit


def test_a_second_send_gets_a_new_unique_name(resolve, files, tmp_path):
    fake, project, pool, *_ = resolve
    host = ResolveHost(fake)
    plan = make_plan(*files)
    names = [host.send_timeline(build_timeline(plan, name="x"), base_name="Trailer",
                                sections=plan.sections, workdir=str(tmp_path)).name
             for _ in range(3)]
    assert names == ["Trailer", "Trailer (2)", "Trailer (3)"]
    assert [t for t in host.timeline_names() if t.startswith("Trailer")] == names


def test_duplicate_name_none_from_resolve_is_handled(resolve, files, tmp_path):
    """Another script takes the name between our check and the import: Resolve answers None and
    we retry with the next free name."""
    fake, project, pool, *_ = resolve
    original = FakeMediaPool.ImportTimelineFromFile
    raced = []

    def racing_import(self, filePath, importOptions=None):
        if not raced:
            raced.append(importOptions["timelineName"])
            self.CreateEmptyTimeline(importOptions["timelineName"])
        return original(self, filePath, importOptions)

    pool.ImportTimelineFromFile = racing_import.__get__(pool)
    plan = make_plan(*files)
    sent = ResolveHost(fake).send_timeline(build_timeline(plan, name="x"), base_name="Trailer",
                                           sections=plan.sections, workdir=str(tmp_path))
    assert raced == ["Trailer"] and sent.name == "Trailer (2)"
    assert [c[1]["timelineName"] for c in pool.import_calls] == ["Trailer", "Trailer (2)"]
    assert [t.GetName() for t in project.timelines].count("Trailer (2)") == 1


def test_a_file_resolve_refuses_gives_a_clear_error(resolve, files, tmp_path, monkeypatch):
    fake, project, pool, *_ = resolve
    count = project.GetTimelineCount()
    from trailersmith.adapters.resolve import host as resolve_host

    def broken_writer(shaped, workdir, base_name):
        bad = tmp_path / "bad.otio"
        bad.write_text("{ not json")
        return str(bad)

    monkeypatch.setattr(resolve_host, "_write_otio", broken_writer)
    plan = make_plan(*files)
    with pytest.raises(ResolveError, match="could not import .*bad.otio"):
        ResolveHost(fake).send_timeline(build_timeline(plan, name="x"), base_name="Trailer",
                                        sections=plan.sections)
    assert project.GetTimelineCount() == count


def test_fake_resolve_refuses_duplicates_malformed_and_foreign_shaped_files(resolve, files,
                                                                           tmp_path):
    import opentimelineio as otio

    fake, project, pool, *_ = resolve
    plan = make_plan(*files)
    good = tmp_path / "good.otio"
    otio.adapters.write_to_file(build_timeline(plan, name="x"), str(good))
    assert pool.ImportTimelineFromFile(str(good), {"timelineName": "Edit v3"}) is None
    garbage = tmp_path / "garbage.otio"
    garbage.write_text("[]")
    assert pool.ImportTimelineFromFile(str(garbage), {"timelineName": "G"}) is None
    foreign = build_timeline(plan, name="x")
    for clip in foreign.find_clips():
        clip.media_reference.target_url = "file://" + clip.media_reference.target_url
    otio.adapters.write_to_file(foreign, str(tmp_path / "foreign.otio"))
    assert pool.ImportTimelineFromFile(str(tmp_path / "foreign.otio"), {"timelineName": "F"}) \
        is None
    assert pool.ImportTimelineFromFile(str(good), {"timelineName": "ok"}).GetName() == "ok"


def test_markers_resolve_refuses_are_not_reported_as_placed(resolve, files, tmp_path):
    fake, *_ = resolve
    plan = make_plan(*files)
    sections = [(0, 72, "a"), (0, 72, "same frame"), (9999, 10000, "past the end")]
    sent = ResolveHost(fake).send_timeline(build_timeline(plan, name="x"), base_name="T",
                                           sections=sections, workdir=str(tmp_path))
    assert sent.markers == (0,)


def test_open_timeline_false_keeps_the_current_timeline(resolve, files, tmp_path):
    fake, project, pool, footage, movie_item, edit = resolve
    project.SetCurrentTimeline(edit)
    plan = make_plan(*files)
    ResolveHost(fake).send_timeline(build_timeline(plan, name="x"), base_name="T",
                                    sections=plan.sections, workdir=str(tmp_path),
                                    open_timeline=False)
    assert project.GetCurrentTimeline() is edit and project.GetTimelineCount() == 2


@pytest.mark.parametrize("product, version, can_import, note", [
    ("DaVinci Resolve Studio", [18, 1, 4, 9, ""], False, False),
    ("DaVinci Resolve", [18, 5, 0, 41, ""], True, False),
    ("DaVinci Resolve", [20, 3, 2, 9, ""], True, False),
    ("DaVinci Resolve", [21, 1, 0, 3, ""], True, True),
    ("DaVinci Resolve Studio", [21, 1, 0, 3, ""], True, False),
])
def test_version_checks(product, version, can_import, note):
    v = ResolveHost(FakeResolve(product, version)).version()
    assert (v.otio_import_problem() is None) == can_import
    assert (v.scripting_note() is not None) == note
    if not can_import:
        assert "18.5" in v.otio_import_problem()
    if note:
        assert "21.1" in v.scripting_note() and "Studio" in v.scripting_note()


def test_too_old_resolve_is_refused_before_anything_changes(files, tmp_path):
    fake = FakeResolve("DaVinci Resolve Studio", [17, 4, 6, 4, ""])
    project = fake.GetProjectManager().CreateProject("Old")
    plan = make_plan(*files)
    with pytest.raises(ResolveError, match="18.5"):
        ResolveHost(fake).send_timeline(build_timeline(plan, name="x"), base_name="T",
                                        sections=plan.sections, workdir=str(tmp_path))
    assert project.GetMediaPool().import_calls == [] and list(tmp_path.iterdir()) == []


def test_no_project_and_no_resolve_are_explained(monkeypatch):
    with pytest.raises(ResolveError, match="open one"):
        ResolveHost(FakeResolve()).timeline_names()
    monkeypatch.setitem(sys.modules, "DaVinciResolveScript", None)
    with pytest.raises(ResolveError, match="Workspace > Scripts"):
        ResolveHost.connect(None)


def test_media_pool_clips_flag_the_selected_clip(resolve, files):
    fake, project, pool, footage, movie_item, edit = resolve
    pool.SetCurrentFolder(pool.GetRootFolder())
    pool.ImportMedia([files[1]])
    clips = ResolveHost(fake).media_pool_clips()
    assert {c.path: (c.selected, c.has_video, c.has_audio) for c in clips} == {
        files[0]: (True, True, False), files[1]: (False, False, True)}
    assert ResolveVersion("DaVinci Resolve", (19, 0, 0)).text == "DaVinci Resolve 19.0.0"


def test_send_links_each_shot_to_its_own_sound_on_audio_2(resolve, files, tmp_path):
    import dataclasses

    fake, project, pool, *_ = resolve
    plan = make_plan(*files)
    plan = dataclasses.replace(plan, movie=dataclasses.replace(plan.movie, has_audio=True))
    timeline = build_timeline(plan, name="x", source_audio=True)
    ResolveHost(fake).send_timeline(timeline, base_name="Linked", workdir=str(tmp_path))
    new = project.GetCurrentTimeline()
    pictures = new.GetItemListInTrack("video", 1)
    sounds = new.GetItemListInTrack("audio", 2)
    assert new.GetTrackName("audio", 2) == "Audio 2" and len(sounds) == len(plan.clips)
    assert [s.GetSourceStartFrame() for s in sounds] == [p.GetSourceStartFrame() for p in pictures]
    assert [tuple(map(id, g)) for g in new.links] == [(id(p), id(s)) for p, s in
                                                      zip(pictures, sounds)]


def test_a_title_card_is_a_gap_on_video_2_with_a_marker_over_its_place(resolve, files, tmp_path):
    """Resolve's OTIO import needs a file behind every clip: the TITLE placeholder goes as a gap
    and a marker (after the section marker on the same frame) says where the title goes."""
    fake, project, *_ = resolve
    info = make_plan(*files).movie
    plan = plan_from_sources(info, [(300, 372), (24, 96), (200, 224)], music_path=files[1],
                             music_duration_s=10.0, sections=SECTIONS)
    plan.duration_frames, plan.title_start_frame = 240, 168
    ResolveHost(fake).send_timeline(build_timeline(plan, name="x"), base_name="Titled",
                                    sections=plan.sections, workdir=str(tmp_path))
    new = project.GetCurrentTimeline()
    assert len(new.GetItemListInTrack("video", 1)) == 3
    assert new.GetTrackCount("video") == 2 and not new.GetItemListInTrack("video", 2)
    markers = new.GetMarkers()
    (frame,) = [f for f, m in markers.items() if m["name"] == "TITLE"]
    assert frame == 169.0 and markers[168.0]["name"] == "drop"  # one marker per frame
    assert "put the title here" in markers[frame]["note"]
    assert markers[frame]["duration"] == 240 - 169

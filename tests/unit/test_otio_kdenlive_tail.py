"""The disabled 1-frame tail our .otio carries for Kdenlive 26's OTIO import (otio_json.py)."""
import json

import opentimelineio as otio

from trailersmith.adapters import otio_json


def _range(start, duration, rate=24):
    return otio.opentime.TimeRange(otio.opentime.RationalTime(start, rate),
                                   otio.opentime.RationalTime(duration, rate))


def _timeline():
    timeline = otio.schema.Timeline(name="t")
    video = otio.schema.Track(name="Video 1", kind=otio.schema.TrackKind.Video)
    audio = otio.schema.Track(name="Audio 1", kind=otio.schema.TrackKind.Audio)
    for start in (86500, 86410):
        video.append(otio.schema.Clip(name=f"c{start}", source_range=_range(start, 24),
                                      media_reference=otio.schema.ExternalReference(
                                          target_url="/m/movie.mp4",
                                          available_range=_range(86400, 480))))
    audio.append(otio.schema.Clip(name="music", source_range=_range(0, 48),
                                  media_reference=otio.schema.ExternalReference(
                                      target_url="/m/music.wav", available_range=_range(0, 480))))
    timeline.tracks.extend([video, audio])
    return timeline


def test_a_track_whose_last_clip_needs_a_slip_ends_with_a_disabled_first_frame(tmp_path):
    doc = json.loads(otio_json.write_to_string(_timeline()))
    video, audio = doc["tracks"]["children"]
    tail = video["children"][-1]
    assert len(video["children"]) == 3 and tail["enabled"] is False
    assert tail["metadata"]["trailersmith"]["role"] == otio_json.TAIL_ROLE
    assert (tail["source_range"]["start_time"]["value"],
            tail["source_range"]["duration"]["value"]) == (86400, 1)
    assert len(audio["children"]) == 1  # its only clip starts at the media's first frame


def test_our_reader_drops_the_tail_and_resolves_file_has_none(tmp_path):
    path = tmp_path / "t.otio"
    otio_json.write_to_file(_timeline(), str(path))
    back = otio_json.read_from_file(str(path))
    assert [c.name for c in back.tracks[0]] == ["c86500", "c86410"]
    assert back.tracks[0].duration() == back.tracks[1].duration()
    plain = json.loads(otio_json.write_to_string(_timeline(), kdenlive_tail=False))
    assert len(plain["tracks"]["children"][0]["children"]) == 2

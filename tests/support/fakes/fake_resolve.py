"""A stand-in for DaVinci Resolve's scripting API, written from the vendor's API text
(``../shared/reference/resolve_scripting_api_*.txt``): same method names, same return values,
same failure modes.

Failure modes kept on purpose:
- ``MediaPool.ImportTimelineFromFile`` returns None when ``timelineName`` already exists, when the
  file is missing or malformed, and (as Resolve silently does) when an OTIO does not have the shape
  of Resolve's own export: ``global_start_time`` set, media references keyed ``DEFAULT_MEDIA``
  with an ``available_range``, bare absolute paths, tracks "Video 1"/"Audio 1".
- With ``importSourceClips`` the source clips are matched to media pool clips by file path (any
  bin); unmatched files are imported into the current folder; missing files give offline items.
- ``Timeline.AddMarker`` returns False for an unknown colour, a frame outside the timeline, a
  duration running past its end, or a frame that already has a marker.
- ``ProjectManager.CreateProject`` / ``MediaPool.CreateEmptyTimeline`` return None on a taken name.
Only ``.otio`` files are parsed; other timeline formats raise NotImplementedError (the fake cannot
read them, and a test should not mistake that for Resolve refusing the file).
"""
from __future__ import annotations

import itertools
import json
import os
from fractions import Fraction

MARKER_COLORS = ("Blue", "Cyan", "Green", "Yellow", "Red", "Pink", "Purple", "Fuchsia", "Rose",
                 "Lavender", "Sky", "Mint", "Lemon", "Sand", "Cocoa", "Cream")
PAGES = ("media", "cut", "edit", "fusion", "color", "fairlight", "deliver")
_ids = itertools.count(1)


def _uid() -> str:
    return f"fake-{next(_ids):06d}"


def _timecode(frames: int, rate: float) -> str:
    base = round(rate)
    f = int(frames)
    hours, minutes = f // (3600 * base), f // (60 * base) % 60
    return f"{hours:02d}:{minutes:02d}:{f // base % 60:02d}:{f % base:02d}"


class FakeResolve:
    """``resolve`` as Resolve injects it into a menu script."""

    # Export type constants, as the real handle carries them (their values are Resolve's own).
    EXPORT_EDL, EXPORT_FCP_7_XML, EXPORT_OTIO, EXPORT_NONE = 2, 3, 17, 0

    def __init__(self, product: str = "DaVinci Resolve Studio", version=(19, 1, 3, 7, "")):
        self.product = product
        self.version = list(version)
        self.page = "edit"
        self.project_manager = FakeProjectManager()

    def Fusion(self):
        return None

    def GetProjectManager(self):
        return self.project_manager

    def GetMediaStorage(self):
        return FakeMediaStorage(self)

    def OpenPage(self, pageName):
        if pageName not in PAGES:
            return False
        self.page = pageName
        return True

    def GetCurrentPage(self):
        return self.page

    def GetProductName(self):
        return self.product

    def GetVersion(self):
        return list(self.version)

    def GetVersionString(self):
        major, minor, patch, build, suffix = (self.version + [0, 0, 0, 0, ""])[:5]
        return f"{major}.{minor}.{patch}{suffix}.{build}"


class FakeProjectManager:
    def __init__(self):
        self.projects = {}
        self.current = None

    def CreateProject(self, projectName, mediaLocationPath=None):
        if projectName in self.projects:
            return None
        project = FakeProject(projectName)
        self.projects[projectName] = project
        self.current = project
        return project

    def LoadProject(self, projectName):
        project = self.projects.get(projectName)
        if project is not None:
            self.current = project
        return project

    def GetCurrentProject(self):
        return self.current

    def GetProjectListInCurrentFolder(self):
        return list(self.projects)


class FakeProject:
    def __init__(self, name: str, frame_rate: str = "24"):
        self.name = name
        self.settings = {"timelineFrameRate": frame_rate}
        self.timelines = []
        self.current_timeline = None
        self.media_pool = FakeMediaPool(self)

    def GetName(self):
        return self.name

    def GetMediaPool(self):
        return self.media_pool

    def GetTimelineCount(self):
        return len(self.timelines)

    def GetTimelineByIndex(self, idx):
        if not isinstance(idx, int) or not 1 <= idx <= len(self.timelines):
            return None
        return self.timelines[idx - 1]

    def GetCurrentTimeline(self):
        return self.current_timeline

    def SetCurrentTimeline(self, timeline):
        if timeline not in self.timelines:
            return False
        self.current_timeline = timeline
        return True

    def GetSetting(self, settingName=None):
        if not settingName:
            return dict(self.settings)
        return self.settings.get(settingName, "")

    def GetUniqueId(self):
        return f"project-{self.name}"

    def _has_timeline(self, name: str) -> bool:
        return any(t.name == name for t in self.timelines)

    def _add_timeline(self, timeline):
        self.timelines.append(timeline)
        self.media_pool.current_folder.clips.append(timeline.pool_item)
        self.current_timeline = timeline


class FakeMediaStorage:
    def __init__(self, resolve):
        self._resolve = resolve

    def GetMountedVolumeList(self):
        return ["/"]

    def AddItemListToMediaPool(self, *items):
        paths = items[0] if len(items) == 1 and isinstance(items[0], list) else list(items)
        pool = self._resolve.GetProjectManager().GetCurrentProject().GetMediaPool()
        return pool.ImportMedia(paths)


class FakeFolder:
    def __init__(self, name: str):
        self.name = name
        self.clips = []
        self.subfolders = []
        self.uid = _uid()

    def GetName(self):
        return self.name

    def GetClipList(self):
        return list(self.clips)

    def GetSubFolderList(self):
        return list(self.subfolders)

    def GetUniqueId(self):
        return self.uid

    def GetIsFolderStale(self):
        return False


class _Renamable:
    """``GetName``, ``SetName`` and ``GetUniqueId``, as Resolve's media pool items and timelines
    have them (``self.name``, ``self.uid``)."""

    def GetName(self):
        return self.name

    def SetName(self, name):
        self.name = name
        return True

    def GetUniqueId(self):
        return self.uid


class FakeMediaPoolItem(_Renamable):
    """A clip in the media pool (a file, or a timeline's own pool entry)."""

    def __init__(self, path: str = "", *, kind: str = "Video", fps: float = 24.0,
                 start_frame: int = 0, frames: int = 0, name: str = None, timeline=None):
        self.path = path
        self.kind = kind
        self.fps = fps
        self.start_frame = start_frame
        self.frames = frames
        self.name = name or os.path.basename(path)
        self.timeline = timeline
        self.markers = {}
        self.uid = _uid()

    def GetMediaId(self):
        return self.uid

    def GetTimeline(self):
        return self.timeline

    def GetClipProperty(self, propertyName=None):
        props = {"Clip Name": self.name, "Type": self.kind}
        if self.timeline is None:
            props.update({"File Path": self.path, "FPS": self.fps, "Frames": str(self.frames),
                          "Start TC": _timecode(self.start_frame, self.fps),
                          "Online Status": "Online" if os.path.exists(self.path) else "Offline"})
        if not propertyName:
            return props
        return props.get(propertyName, "")  # "an invalid key will return a trivial result"

    def GetMarkers(self):
        return dict(self.markers)


class FakeMediaPool:
    def __init__(self, project):
        self.project = project
        self.root = FakeFolder("Master")
        self.current_folder = self.root
        self.selected = []
        self.import_calls = []

    def GetRootFolder(self):
        return self.root

    def AddSubFolder(self, folder, name):
        sub = FakeFolder(name)
        folder.subfolders.append(sub)
        return sub

    def GetCurrentFolder(self):
        return self.current_folder

    def SetCurrentFolder(self, folder):
        if not isinstance(folder, FakeFolder) or folder not in self._folders():
            return False
        self.current_folder = folder
        return True

    def GetSelectedClips(self):
        return list(self.selected)

    def SetSelectedClip(self, item):
        if item not in self._items():
            return False
        self.selected = [item]
        return True

    def ImportMedia(self, items):
        created = []
        for path in items:
            if isinstance(path, str) and os.path.isfile(path):
                created.append(self._import_file(path))
        return created

    def CreateEmptyTimeline(self, name):
        if self.project._has_timeline(name):
            return None
        timeline = FakeTimeline(name, rate=float(self.project.GetSetting("timelineFrameRate")),
                                start_frame=3600 * round(float(
                                    self.project.GetSetting("timelineFrameRate"))))
        self.project._add_timeline(timeline)
        return timeline

    def DeleteTimelines(self, timelines):
        for timeline in timelines:
            if timeline not in self.project.timelines:
                return False
        for timeline in timelines:
            self.project.timelines.remove(timeline)
            for folder in self._folders():
                if timeline.pool_item in folder.clips:
                    folder.clips.remove(timeline.pool_item)
            if self.project.current_timeline is timeline:
                self.project.current_timeline = (self.project.timelines or [None])[0]
        return True

    def ImportTimelineFromFile(self, filePath, importOptions=None):
        options = dict(importOptions or {})
        self.import_calls.append((filePath, options))
        name = options.get("timelineName") or os.path.splitext(os.path.basename(filePath))[0]
        if self.project._has_timeline(name):
            return None
        if not os.path.isfile(filePath):
            return None
        ext = os.path.splitext(filePath)[1].lower()
        if ext != ".otio":
            raise NotImplementedError(f"the fake Resolve only reads .otio, not {ext}")
        try:
            with open(filePath, encoding="utf-8") as f:
                doc = json.load(f)
            plan = _read_resolve_otio(doc)
        except (ValueError, KeyError, TypeError, AttributeError):
            return None  # malformed, or not shaped like Resolve's own export
        if plan is None:
            return None
        timeline = FakeTimeline(name, rate=plan["rate"], start_frame=plan["start"])
        for kind, track_name, clips in plan["tracks"]:
            items = []
            for clip in clips:
                item = self._source_item(clip["path"], clip, options)
                items.append(FakeTimelineItem(timeline, clip, item))
            timeline.tracks[kind].append((track_name, items))
        self.project._add_timeline(timeline)
        return timeline

    # --- internals ---------------------------------------------------------------------------
    def _folders(self, folder=None):
        folder = folder or self.root
        yield folder
        for sub in folder.subfolders:
            yield from self._folders(sub)

    def _items(self):
        for folder in self._folders():
            yield from folder.clips

    def _find_by_path(self, path, folders=None):
        search = folders if folders is not None else list(self._folders())
        for folder in search:
            for item in folder.clips:
                if item.timeline is None and os.path.normpath(item.path) == os.path.normpath(path):
                    return item
        return None

    def _import_file(self, path, clip=None):
        kind = "Video"
        if clip is not None and clip["kind"] == "audio":
            kind = "Audio"
        elif os.path.splitext(path)[1].lower() in (".wav", ".ogg", ".mp3", ".flac", ".aac", ".m4a"):
            kind = "Audio"
        item = FakeMediaPoolItem(path, kind=kind,
                                 fps=clip["available_rate"] if clip else 24.0,
                                 start_frame=int(clip["available_start"]) if clip else 0,
                                 frames=int(clip["available_frames"]) if clip else 0)
        self.current_folder.clips.append(item)
        return item

    def _source_item(self, path, clip, options):
        if options.get("importSourceClips", True):
            found = self._find_by_path(path)
            if found is None and not os.path.isfile(path) and options.get("sourceClipsPath"):
                candidate = os.path.join(options["sourceClipsPath"], os.path.basename(path))
                path = candidate if os.path.isfile(candidate) else path
                found = self._find_by_path(path)
            if found is not None:
                return found
            return self._import_file(path, clip) if os.path.isfile(path) else None
        folders = options.get("sourceClipsFolders") or [self.current_folder]
        return self._find_by_path(path, folders)


class FakeTimeline(_Renamable):
    def __init__(self, name: str, *, rate: float, start_frame: int):
        self.name = name
        self.rate = rate
        self.start_frame = int(start_frame)
        self.tracks = {"video": [], "audio": [], "subtitle": []}
        self.markers = {}
        self.uid = _uid()
        self.pool_item = FakeMediaPoolItem(kind="Timeline", name=name, timeline=self)


    def GetMediaPoolItem(self):
        return self.pool_item

    def GetSetting(self, settingName=None):
        settings = {"timelineFrameRate": str(self.rate)}
        return settings if not settingName else settings.get(settingName, "")

    def GetStartFrame(self):
        return self.start_frame

    def GetEndFrame(self):
        return self.start_frame + self._duration()

    def GetStartTimecode(self):
        return _timecode(self.start_frame, self.rate)

    def GetTrackCount(self, trackType):
        return len(self.tracks.get(trackType, []))

    def GetTrackName(self, trackType, trackIndex):
        tracks = self.tracks.get(trackType, [])
        if not 1 <= trackIndex <= len(tracks):
            return ""
        return tracks[trackIndex - 1][0]

    def GetItemListInTrack(self, trackType, index):
        tracks = self.tracks.get(trackType, [])
        if not 1 <= index <= len(tracks):
            return None
        return list(tracks[index - 1][1])

    def SetClipsLinked(self, timelineItems, linked):
        """As Resolve: link (or unlink) the given items of this timeline; False for others."""
        items = [item for _kind, _name, clips in self.tracks_flat() for item in clips]
        if not timelineItems or any(all(t is not i for i in items) for t in timelineItems):
            return False
        group = tuple(timelineItems)
        self.links = [g for g in getattr(self, "links", []) if not set(map(id, g)) &
                      set(map(id, group))]
        if linked:
            self.links.append(group)
        return True

    def Export(self, fileName, exportType, exportSubtype):
        """As Resolve: write this timeline to ``fileName``; the fake writes OTIO only."""
        if exportType != FakeResolve.EXPORT_OTIO or not os.path.isdir(
                os.path.dirname(os.path.abspath(fileName))):
            return False
        import opentimelineio as otio

        rate = self.rate
        def rt(frames):
            return otio.opentime.RationalTime(frames, rate)
        out = otio.schema.Timeline(name=self.name, global_start_time=rt(self.start_frame))
        for kind, tracks in (("video", self.tracks["video"]), ("audio", self.tracks["audio"])):
            for name, items in tracks:
                track = otio.schema.Track(name=name, kind=kind.capitalize())
                position = self.start_frame
                for item in sorted(items, key=lambda i: i.start):
                    if item.start > position:
                        track.append(otio.schema.Gap(duration=rt(item.start - position)))
                    track.append(item.to_otio(rt))
                    position = item.end
                out.tracks.append(track)
        otio.adapters.write_to_file(out, fileName)
        return True

    def tracks_flat(self):
        return [(kind, name, clips) for kind, tracks in self.tracks.items()
                for name, clips in tracks]

    def AddMarker(self, frameId, color, name, note, duration, customData=""):
        frame = float(frameId)
        if color not in MARKER_COLORS or frame in self.markers:
            return False
        if frame < 0 or frame >= self._duration() or duration < 1:
            return False
        if frame + duration > self._duration():
            return False
        self.markers[frame] = {"color": color, "duration": float(duration), "note": note,
                               "name": name, "customData": customData}
        return True

    def GetMarkers(self):
        return {frame: dict(info) for frame, info in self.markers.items()}

    def GetMarkerByCustomData(self, customData):
        for info in self.markers.values():
            if info["customData"] == customData:
                return dict(info)
        return {}

    def DeleteMarkerAtFrame(self, frameNum):
        return self.markers.pop(float(frameNum), None) is not None

    def _duration(self) -> int:
        ends = [item.end for _, items in itertools.chain(*self.tracks.values()) for item in items]
        return int(max(ends, default=self.start_frame) - self.start_frame)


class FakeTimelineItem:
    def __init__(self, timeline, clip, pool_item):
        self.timeline = timeline
        self.name = clip["name"]
        self.start = timeline.start_frame + clip["record_start"]
        self.end = self.start + clip["frames"]
        self.source_start = clip["source_start"] - clip["available_start"]
        self.source_end = self.source_start + clip["frames"]
        self.pool_item = pool_item
        self.clip = clip
        self.markers = {}

    def AddMarker(self, frameId, color, name, note, duration, customData=""):
        """As Resolve: a marker ``frameId`` frames into this item; False when outside it."""
        frame = float(frameId)
        if color not in MARKER_COLORS or frame in self.markers or duration < 1:
            return False
        if frame < 0 or frame + duration > self.end - self.start:
            return False
        self.markers[frame] = {"color": color, "duration": float(duration), "note": note,
                               "name": name, "customData": customData}
        return True

    def GetMarkers(self):
        return {frame: dict(info) for frame, info in self.markers.items()}

    def to_otio(self, rt):
        """This item as Resolve's OTIO export writes a clip (media timecode, markers)."""
        import opentimelineio as otio

        first = self.clip["available_start"] + self.source_start
        clip = otio.schema.Clip(name=self.name, source_range=otio.opentime.TimeRange(
            rt(first), rt(self.end - self.start)))
        ref = otio.schema.ExternalReference(
            target_url=self.clip["path"], available_range=otio.opentime.TimeRange(
                rt(self.clip["available_start"]), rt(self.clip.get("available_frames", 0))))
        clip.set_media_references({"DEFAULT_MEDIA": ref}, "DEFAULT_MEDIA")
        for frame, info in sorted(self.markers.items()):
            clip.markers.append(otio.schema.Marker(
                name=info["name"], comment=info["note"], marked_range=otio.opentime.TimeRange(
                    rt(first + int(frame)), rt(int(info["duration"])))))
        return clip

    def GetName(self):
        return self.name

    def GetStart(self, subframe_precision=False):
        return self.start

    def GetEnd(self, subframe_precision=False):
        return self.end

    def GetDuration(self, subframe_precision=False):
        return self.end - self.start

    def GetSourceStartFrame(self):
        return self.source_start

    def GetSourceEndFrame(self):
        return self.source_end

    def GetMediaPoolItem(self):
        return self.pool_item


# --- reading an OTIO file the way Resolve expects it -------------------------------------------
def _rt(obj) -> Fraction:
    if obj.get("OTIO_SCHEMA", "").split(".")[0] != "RationalTime":
        raise ValueError("not a RationalTime")
    return Fraction(obj["value"]).limit_denominator(1 << 20), float(obj["rate"])


def _frames(obj, rate: float) -> int:
    value, own_rate = _rt(obj)
    return int(round(float(value) * rate / own_rate))


def _read_resolve_otio(doc):
    """Parse a Resolve-shaped OTIO document, or None when Resolve would refuse it."""
    if doc.get("OTIO_SCHEMA", "").split(".")[0] != "Timeline":
        return None
    start = doc.get("global_start_time")
    if not start:
        return None
    _, rate = _rt(start)
    plan = {"rate": rate, "start": _frames(start, rate), "tracks": []}
    counters = {"video": 0, "audio": 0}
    for track in doc["tracks"]["children"]:
        kind = "video" if track["kind"] == "Video" else "audio"
        counters[kind] += 1
        if track.get("name") != f"{kind.capitalize()} {counters[kind]}":
            return None
        clips, position = [], 0
        for child in track["children"]:
            schema = child["OTIO_SCHEMA"].split(".")[0]
            length = _frames(child["source_range"]["duration"], rate)
            if schema == "Clip":
                parsed = _read_clip(child, kind, rate, position)
                if parsed is None:
                    return None
                clips.append(parsed)
            elif schema != "Gap":
                return None
            position += length
        plan["tracks"].append((kind, track["name"], clips))
    if not counters["video"]:
        return None
    return plan


def _read_clip(child, kind, rate, position):
    if child.get("active_media_reference_key") != "DEFAULT_MEDIA":
        return None
    ref = child.get("media_references", {}).get("DEFAULT_MEDIA")
    if not ref or ref["OTIO_SCHEMA"].split(".")[0] != "ExternalReference":
        return None
    url = ref.get("target_url") or ""
    if "://" in url or not os.path.isabs(url):
        return None
    available = ref.get("available_range")
    if not available:
        return None
    a_start, a_rate = _rt(available["start_time"])
    a_len, _ = _rt(available["duration"])
    source = child["source_range"]
    s_start = _frames(source["start_time"], a_rate)
    s_len = _frames(source["duration"], a_rate)
    if s_start < a_start or s_start + s_len > a_start + a_len:
        return None  # a range outside the media: Resolve drops such a timeline
    return {"name": child.get("name") or os.path.basename(url), "path": url, "kind": kind,
            "record_start": position, "frames": _frames(source["duration"], rate),
            "source_start": s_start, "available_start": int(a_start),
            "available_rate": a_rate, "available_frames": int(a_len)}

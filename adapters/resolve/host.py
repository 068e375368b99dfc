"""The one module that holds the DaVinci Resolve scripting handle.

Everything else in Trailersmith reaches Resolve through :class:`ResolveHost`. The host only does
the last step: it imports an OTIO file we wrote (Resolve's ``MediaPool.ImportTimelineFromFile``)
as a new, uniquely named timeline and adds section markers. It never edits an existing timeline,
and the context managers below put the editor's state (current media pool folder, current
timeline) back as it was. API text: Blackmagic's "DaVinci Resolve Scripting" README.
"""
from __future__ import annotations

import contextlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Optional, Sequence, Tuple

from ...core.errors import TrailersmithError
from ...core.fileio import write_atomic
from ...core.timeline import TITLE_CLIP_NAME, is_source_audio_track
from .otio_shape import resolve_shape_problems, title_card_range, to_resolve_shape

#: Resolve imports OTIO timelines from this version on.
MIN_OTIO_IMPORT = (18, 5)
#: From this version on, the free Resolve no longer runs Python from Workspace > Scripts.
FREE_MENU_PYTHON_REMOVED = (21, 1)
BIN_NAME = "Trailersmith"
MARKER_COLORS = ("Blue", "Green", "Yellow", "Pink", "Purple", "Cyan", "Sand", "Mint")
_NAME_ATTEMPTS = 50


class ResolveError(TrailersmithError):
    """DaVinci Resolve cannot be reached, is too old, or refused a request."""


@dataclass(frozen=True)
class ResolveVersion:
    """Product and ``[major, minor, patch, build, suffix]`` as ``Resolve.GetVersion`` gives them."""

    product: str
    fields: tuple

    @property
    def number(self) -> Tuple[int, int]:
        major, minor = (list(self.fields) + [0, 0])[:2]
        return int(major or 0), int(minor or 0)

    @property
    def is_studio(self) -> bool:
        return "studio" in self.product.lower()

    @property
    def text(self) -> str:
        return f"{self.product} {'.'.join(str(f) for f in self.fields[:3] if f != '')}"

    def otio_import_problem(self) -> Optional[str]:
        """Why this Resolve cannot import our timeline, or None when it can."""
        if self.number < MIN_OTIO_IMPORT:
            return (f"{self.text} cannot import OTIO timelines; Resolve 18.5 or newer is needed. "
                    "Update Resolve, or export an FCP7 .xml and use File > Import > Timeline.")
        return None

    def scripting_note(self) -> Optional[str]:
        """The free Resolve 21.1+ scripting limit, said plainly; None when it does not apply."""
        if not self.is_studio and self.number >= FREE_MENU_PYTHON_REMOVED:
            return (f"{self.text} (free) no longer runs Python scripts from Workspace > Scripts. "
                    "Use DaVinci Resolve Studio, or run trailersmith-panel on its own, export an "
                    ".otio and import it with File > Import > Timeline.")
        return None


@dataclass(frozen=True)
class PoolClip:
    """A media pool clip the panel can offer as movie or music."""

    name: str
    path: str
    kind: str  # Resolve's clip "Type": "Video", "Audio", "Video + Audio", ...
    selected: bool = False

    @property
    def has_video(self) -> bool:
        return "video" in self.kind.lower()

    @property
    def has_audio(self) -> bool:
        return "audio" in self.kind.lower()


@dataclass(frozen=True)
class SentTimeline:
    """What Send to Resolve created."""

    name: str
    otio_path: str
    markers: tuple  # frame offsets from the timeline start


def find_resolve_handle(injected=None):
    """The Resolve handle: the one Resolve injected into a menu script, else Studio's external
    scripting module ``DaVinciResolveScript``. Raises :class:`ResolveError` with what to do."""
    if injected is not None:
        return injected
    try:
        import DaVinciResolveScript  # noqa: N813 - Blackmagic's module name
    except ImportError:
        raise ResolveError(
            "DaVinci Resolve is not reachable: start Trailersmith from Workspace > Scripts > "
            "Trailersmith inside Resolve (install it with 'trailersmith install-resolve'), or for "
            "Resolve Studio's external scripting set RESOLVE_SCRIPT_API and PYTHONPATH as the "
            "Resolve scripting README says.") from None
    handle = DaVinciResolveScript.scriptapp("Resolve")
    if handle is None:
        raise ResolveError("DaVinci Resolve is not running, or external scripting is off: start "
                           "Resolve and set Preferences > System > General > External scripting "
                           "using to 'Local'.")
    return handle


class ResolveHost:
    """Owns the Resolve handle; the panel calls this and nothing else touches Resolve."""

    def __init__(self, handle) -> None:
        if handle is None:
            raise ResolveError("No DaVinci Resolve handle was given.")
        self._resolve = handle

    @classmethod
    def connect(cls, injected=None) -> "ResolveHost":
        """Connect to the running Resolve (see :func:`find_resolve_handle`)."""
        return cls(find_resolve_handle(injected))

    # --- facts ------------------------------------------------------------------------------
    def version(self) -> ResolveVersion:
        fields = tuple(self._resolve.GetVersion() or ())
        return ResolveVersion(product=self._resolve.GetProductName() or "DaVinci Resolve",
                              fields=fields)

    def _project(self):
        project = self._resolve.GetProjectManager().GetCurrentProject()
        if project is None:
            raise ResolveError("No project is open in DaVinci Resolve; open one and try again.")
        return project

    def project_name(self) -> str:
        return self._project().GetName()

    def media_pool_clips(self) -> List[PoolClip]:
        """Every clip with a file in the media pool (all bins), selected ones flagged."""
        pool = self._project().GetMediaPool()
        selected_paths = {_clip_path(c) for c in (pool.GetSelectedClips() or [])}
        clips = []
        for item in _walk_clips(pool.GetRootFolder()):
            path = _clip_path(item)
            if not path:
                continue  # timelines, compound clips, generators
            clips.append(PoolClip(name=item.GetName(), path=path,
                                  kind=str(item.GetClipProperty("Type") or ""),
                                  selected=path in selected_paths))
        return clips

    def timeline_names(self) -> List[str]:
        project = self._project()
        return [project.GetTimelineByIndex(i).GetName()
                for i in range(1, int(project.GetTimelineCount() or 0) + 1)]

    def unique_timeline_name(self, base: str) -> str:
        """``base``, or ``base (2)``, ``base (3)``... whichever no timeline has yet."""
        taken = set(self.timeline_names())
        return _next_free(base, taken)

    def export_current_timeline(self, workdir: Optional[str] = None) -> str:
        """Write the timeline open in Resolve to a new ``.otio`` file and return its path.

        Read only: Resolve's ``Timeline.Export(path, EXPORT_OTIO, EXPORT_NONE)`` writes a file
        and changes nothing in the project (``recut`` then makes a new timeline from it).
        """
        timeline = self._project().GetCurrentTimeline()
        if timeline is None:
            raise ResolveError("No timeline is open in DaVinci Resolve; open the edited trailer "
                               "timeline and try again.")
        if workdir is None:
            from ...core.cache import default_cache_dir
            workdir = str(default_cache_dir() / "resolve")
        os.makedirs(workdir, exist_ok=True)
        path = str(Path(workdir) / f"edited-{uuid.uuid4().hex[:8]}.otio")
        kind = getattr(self._resolve, "EXPORT_OTIO", None)
        if kind is None or not timeline.Export(path, kind, getattr(self._resolve, "EXPORT_NONE",
                                                                   0)):
            raise ResolveError(f"Resolve could not export timeline '{timeline.GetName()}' as "
                               "OTIO (needs Resolve 18.5 or newer); export it by hand with "
                               "File > Export > Timeline and re-cut that file.")
        return path

    # --- the one action ---------------------------------------------------------------------
    def send_timeline(self, timeline, *, base_name: str, sections: Sequence = (),
                      workdir: Optional[str] = None, open_timeline: bool = True,
                      media_range=None) -> SentTimeline:
        """Import ``timeline`` into the current project as a new timeline, plus section markers.

        ``sections`` are ``(start_frame, end_frame, label)`` from the start of the timeline.
        Raises :class:`ResolveError` when Resolve is too old, rejects the file, or every name
        candidate is taken.
        """
        problem = self.version().otio_import_problem()
        if problem:
            raise ResolveError(problem)
        shaped = to_resolve_shape(timeline, media_range=media_range)
        problems = resolve_shape_problems(shaped)
        if problems:
            raise ResolveError("The timeline is not in a shape Resolve imports ("
                               + "; ".join(problems[:3]) + "). Please report this.")
        project = self._project()
        pool = project.GetMediaPool()
        path = _write_otio(shaped, workdir, base_name)
        with kept_current_folder(pool), kept_current_timeline(project, keep=not open_timeline):
            pool.SetCurrentFolder(_bin(pool))
            name, new = self._import_unique(pool, path, base_name)
            markers = _add_section_markers(new, sections)
            _add_title_marker(new, timeline)
            _link_source_audio(new, shaped)
            if open_timeline:
                project.SetCurrentTimeline(new)
        return SentTimeline(name=name, otio_path=path, markers=tuple(markers))

    def _import_unique(self, pool, path: str, base_name: str):
        taken = set(self.timeline_names())
        for _ in range(_NAME_ATTEMPTS):
            name = _next_free(base_name, taken)
            new = pool.ImportTimelineFromFile(path, {"timelineName": name,
                                                     "importSourceClips": True})
            if new is not None:
                return name, new
            now_taken = set(self.timeline_names())
            if name not in now_taken:  # the name was free, so Resolve refused the file itself
                raise ResolveError(
                    f"DaVinci Resolve could not import {path}. Check that the movie and music "
                    "files are still in place, then try File > Import > Timeline with that file "
                    "to see Resolve's own message.")
            taken = now_taken | {name}  # someone took the name meanwhile: try the next one
        raise ResolveError(f"Could not find a free timeline name starting with {base_name!r}; "
                           "rename or delete some of those timelines.")


# --- context managers that restore editor state -----------------------------------------------
@contextlib.contextmanager
def kept_current_folder(pool) -> Iterator[None]:
    """Restore the media pool's current folder (bin) after the block."""
    before = pool.GetCurrentFolder()
    try:
        yield
    finally:
        if before is not None:
            pool.SetCurrentFolder(before)


@contextlib.contextmanager
def kept_current_timeline(project, *, keep: bool = True) -> Iterator[None]:
    """Make the timeline that was current before the block current again (when ``keep``)."""
    before = project.GetCurrentTimeline()
    try:
        yield
    finally:
        if keep and before is not None:
            project.SetCurrentTimeline(before)


# --- helpers ---------------------------------------------------------------------------------
def _clip_path(item) -> str:
    try:
        return str(item.GetClipProperty("File Path") or "")
    except Exception:  # noqa: BLE001 - some pool items (timelines) have no file properties
        return ""


def _walk_clips(folder):
    for item in folder.GetClipList() or []:
        yield item
    for sub in folder.GetSubFolderList() or []:
        yield from _walk_clips(sub)


def _next_free(base: str, taken) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base} ({n})" in taken:
        n += 1
    return f"{base} ({n})"


def _bin(pool):
    """The "Trailersmith" bin under the root (created once), so imports never clutter a user bin."""
    root = pool.GetRootFolder()
    for sub in root.GetSubFolderList() or []:
        if sub.GetName() == BIN_NAME:
            return sub
    folder = pool.AddSubFolder(root, BIN_NAME)
    return folder if folder is not None else root


def _write_otio(shaped, workdir: Optional[str], base_name: str) -> str:
    from ..otio_json import write_to_string

    if workdir is None:
        from ...core.cache import default_cache_dir
        workdir = str(default_cache_dir() / "resolve")
    os.makedirs(workdir, exist_ok=True)
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in base_name)[:80] or "trailer"
    final = Path(workdir) / f"{stem}-{uuid.uuid4().hex[:8]}.otio"
    return write_atomic(str(final), write_to_string(shaped, kdenlive_tail=False),
                        overwrite=False)


def _link_source_audio(timeline, shaped) -> int:
    """Link each shot's picture on "Video 1" to its own sound on "Audio 2" (OTIO cannot say so;
    Resolve's ``Timeline.SetClipsLinked`` can). Returns how many pairs were linked."""
    audio = [t for t in shaped.tracks if t.kind == "Audio"]
    number = next((n for n, t in enumerate(audio, start=1) if is_source_audio_track(t)), None)
    if number is None:
        return 0
    pictures = timeline.GetItemListInTrack("video", 1) or []
    sounds = timeline.GetItemListInTrack("audio", number) or []
    return sum(1 for pair in zip(pictures, sounds) if timeline.SetClipsLinked(list(pair), True))


def _add_section_markers(timeline, sections: Sequence) -> List[int]:
    """One marker per section at its first frame (offset from the timeline start)."""
    placed = []
    for i, (start, end, label) in enumerate(sections):
        frame = int(start)
        ok = timeline.AddMarker(frame, MARKER_COLORS[i % len(MARKER_COLORS)], str(label),
                                f"Music section {i + 1}: {label}", max(1, int(end) - frame),
                                f"trailersmith:section:{i}")
        if ok:
            placed.append(frame)
    return placed


def _add_title_marker(timeline, otio_timeline) -> bool:
    """A marker over the title card's place (the imported timeline has a gap there). Resolve
    holds one marker per frame: when a section marker has the title's first frame, the title's
    goes one frame later."""
    title = title_card_range(otio_timeline)
    if title is None:
        return False
    start, length, note = title
    return any(timeline.AddMarker(frame, "Purple", TITLE_CLIP_NAME, note,
                                  max(1, length - (frame - start)), "trailersmith:title")
               for frame in (start, start + 1))

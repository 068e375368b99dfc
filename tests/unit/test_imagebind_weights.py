"""Loading and checking ImageBind weights: the huge layout without memory, a real small file,
and a clear error for every way a weights file can be wrong."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from tests.support import imagebind_reference as SUPPORT
from trailersmith.core.errors import ModelUnavailableError

# weights and model import torch at the top: skip the module, not error, without it.
torch = pytest.importorskip("torch")
weights = pytest.importorskip("trailersmith.core.features.imagebind.weights")
_model = pytest.importorskip("trailersmith.core.features.imagebind.model")
HUGE, ImageBind, ImageBindConfig, TowerConfig = (_model.HUGE, _model.ImageBind,
                                                 _model.ImageBindConfig, _model.TowerConfig)

SMALL = ImageBindConfig(TowerConfig(128, 2, 2), TowerConfig(64, 1, 1), TowerConfig(64, 2, 1), 32)


def _meta_state(config=HUGE, extra_modalities=True):
    """Checkpoint-named meta tensors: names and shapes only, no memory."""
    state = {k: torch.empty(s, device="meta") for k, s in weights.expected_shapes(config).items()}
    if extra_modalities:  # the file also holds encoders we do not use
        state["modality_trunks.depth.blocks.0.attn.in_proj_weight"] = torch.empty(
            1152, 384, device="meta")
        state["modality_postprocessors.imu.1.log_logit_scale"] = torch.empty((), device="meta")
    return state


def test_huge_layout_loads_on_meta_device():
    state = _meta_state()
    assert len(state) == 866
    # vision 32 blocks of width 1280, text 24 x 1024, audio 12 x 768, 1024-d output
    assert state["modality_trunks.vision.blocks.31.mlp.fc1.weight"].shape == (5120, 1280)
    assert state["modality_trunks.text.blocks.23.attn.in_proj_weight"].shape == (3072, 1024)
    assert state["modality_trunks.audio.blocks.11.attn.bias_k"].shape == (1, 1, 768)
    assert state["modality_preprocessors.vision.rgbt_stem.proj.1.weight"].shape == (
        1280, 3, 2, 14, 14)
    assert state["modality_preprocessors.audio.pos_embedding_helper.pos_embed"].shape == (
        1, 229, 768)
    assert weights.infer_config(state) == HUGE
    model = weights.build_model(state, device="meta")
    n = sum(p.numel() for p in model.parameters())
    assert 1.0e9 < n < 1.1e9  # the three towers of ImageBind-huge, about 1.07 B parameters


def test_small_file_round_trip(tmp_path):
    """A random checkpoint saved to disk loads through the file path (memory-mapped) and gives
    the same embeddings as the model built from the tensors in memory."""
    state = SUPPORT.small_checkpoint(SMALL, seed=3)
    path = tmp_path / "small.pth"
    torch.save(state, path)
    loaded = weights.build_model(weights.read_checkpoint(str(path)), source=str(path))
    assert loaded.config == SMALL  # widths and depths read off the shapes
    direct = weights.build_model(state)
    x = torch.randn(2, 3, 224, 224, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        a, b = loaded.encode_images(x), direct.encode_images(x)
    assert torch.equal(a, b)
    assert a.shape == (2, 32)
    np.testing.assert_allclose(a.norm(dim=-1).numpy(), 1.0, atol=1e-5)
    # Every tensor of the model really came from the file.
    vision_proj = state["modality_heads.vision.2.weight"]
    assert torch.equal(loaded.vision.proj.weight, vision_proj)


def test_wrapped_fp16_checkpoint_is_accepted(tmp_path):
    state = {"module." + k: v.half() for k, v in SUPPORT.small_checkpoint(SMALL).items()}
    path = tmp_path / "wrapped.pth"
    torch.save({"model": state}, path)
    model = weights.load_model(str(path))
    assert model.vision.proj.weight.dtype == torch.float32
    assert weights.load_model(str(path)) is model  # loaded once per process


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ModelUnavailableError, match="not found.*imagebind_huge.pth"):
        weights.read_checkpoint(str(tmp_path / "nope.pth"))
    with pytest.raises(ModelUnavailableError, match="folder"):
        weights.read_checkpoint(str(tmp_path))


def test_files_that_are_not_checkpoints(tmp_path):
    text_file = tmp_path / "notes.pth"
    text_file.write_text("this is not a checkpoint\n")
    with pytest.raises(ModelUnavailableError, match="not a PyTorch weights file"):
        weights.read_checkpoint(str(text_file))

    unsafe = tmp_path / "pickle.pth"  # objects weights_only=True refuses to unpickle
    torch.save({"x": Fraction(1, 3), "w": torch.zeros(1)}, unsafe)
    with pytest.raises(ModelUnavailableError, match="not a PyTorch weights file"):
        weights.read_checkpoint(str(unsafe))

    not_tensors = tmp_path / "numbers.pth"
    torch.save({"a": 1, "b": [2, 3]}, not_tensors)
    with pytest.raises(ModelUnavailableError, match="no state dict of tensors"):
        weights.read_checkpoint(str(not_tensors))

    other_model = tmp_path / "other.pth"
    torch.save({"fc.weight": torch.zeros(2, 2)}, other_model)
    with pytest.raises(ModelUnavailableError, match="not an ImageBind checkpoint"):
        weights.load_model(str(other_model))


def test_missing_unexpected_and_misshapen_keys():
    state = _meta_state()
    del state["modality_trunks.vision.blocks.7.norm_1.bias"]
    del state["modality_heads.text.proj.1.weight"]
    with pytest.raises(ModelUnavailableError, match=r"2 missing key\(s\).*"
                       r"modality_heads.text.proj.1.weight.*blocks.7.norm_1.bias"):
        weights.check_state_dict(state)

    state = _meta_state()
    state["modality_trunks.vision.blocks.0.attn.qkv.weight"] = torch.empty(1, device="meta")
    with pytest.raises(ModelUnavailableError, match=r"1 unexpected key\(s\).*attn.qkv.weight"):
        weights.check_state_dict(state)

    state = _meta_state()
    state["modality_trunks.audio.blocks.3.mlp.fc2.weight"] = torch.empty(768, 3000,
                                                                         device="meta")
    with pytest.raises(ModelUnavailableError,
                       match=r"wrong shape.*audio.blocks.3.mlp.fc2.weight \(768, 3000\) "
                             r"\(expected \(768, 3072\)\)"):
        weights.check_state_dict(state)

    # A real file with a key removed fails before any tensor is used.
    state = SUPPORT.small_checkpoint(SMALL)
    del state["modality_preprocessors.audio.cls_token"]
    with pytest.raises(ModelUnavailableError, match="audio.cls_token"):
        weights.build_model(state)


def test_name_mapping_is_one_to_one():
    with torch.device("meta"):
        ours = ImageBind(SMALL).state_dict()
    names = [weights.checkpoint_name(k) for k in ours]
    assert len(set(names)) == len(names)
    assert all(weights.module_name(n) == k for n, k in zip(names, ours))
    assert weights.module_name("modality_trunks.depth.blocks.0.norm_1.weight") is None

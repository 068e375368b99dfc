"""Our ImageBind against the reference implementation (imagebind-packaged), same random weights.

Needs the reference source: ``python -m tests.support.imagebind_reference --fetch`` (pip
download from PyPI, about 3 MB). Without it these tests skip and say so.
"""
from __future__ import annotations

import numpy as np
import pytest

from tests.support import imagebind_reference as SUPPORT
from trailersmith.core.features.imagebind import text

# weights and model import torch at the top: skip the module, not error, without it.
torch = pytest.importorskip("torch")
weights = pytest.importorskip("trailersmith.core.features.imagebind.weights")
_model = pytest.importorskip("trailersmith.core.features.imagebind.model")
HUGE, ImageBindConfig, TowerConfig = _model.HUGE, _model.ImageBindConfig, _model.TowerConfig

# Reduced width and depth; every code path of huge is kept (224 px images in 14 px patches,
# 128 x 204 mel clips, 77 text tokens, extra key/value tokens in audio, causal text).
SMALL = dict(vision=(64, 2, 2), audio=(64, 2, 4), text=(64, 2, 2), out=48)


@pytest.fixture(scope="module")
def reference():
    try:
        return SUPPORT.load_imagebind()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def models(reference):
    torch.manual_seed(0)
    (vw, vd, vh), (aw, ad, ah), (tw, td, th) = SMALL["vision"], SMALL["audio"], SMALL["text"]
    ref = reference.imagebind_model.ImageBindModel(
        vision_embed_dim=vw, vision_num_blocks=vd, vision_num_heads=vh,
        audio_embed_dim=aw, audio_num_blocks=ad, audio_num_heads=ah,
        text_embed_dim=tw, text_num_blocks=td, text_num_heads=th, out_embed_dim=SMALL["out"],
        depth_embed_dim=32, depth_num_blocks=1, depth_num_heads=2,
        thermal_embed_dim=32, thermal_num_blocks=1, thermal_num_heads=2,
        imu_embed_dim=32, imu_num_blocks=1, imu_num_heads=2).eval()
    state = SUPPORT.randomise_(ref.state_dict(), seed=1)
    ref.load_state_dict(state)
    config = ImageBindConfig(TowerConfig(vw, vd, vh), TowerConfig(aw, ad, ah),
                             TowerConfig(tw, td, th), SMALL["out"])
    ours = weights.build_model(state, config=config)
    return ref, ours, state, config


def _inputs(seed=2):
    g = torch.Generator().manual_seed(seed)
    images = torch.randn(3, 3, 224, 224, generator=g)
    mel = torch.randn(3, 1, 128, 204, generator=g)
    ids = torch.randint(1, 49000, (3, 77), generator=g)
    for row, length in zip(ids, (4, 19, 77)):  # end-of-text at 3 places, zeros after it
        row[length - 1] = 49407
        row[length:] = 0
    return images, mel, ids


def _max_diffs(ref, ours):
    images, mel, ids = _inputs()
    with torch.no_grad():
        expected = ref({"vision": images, "audio": mel, "text": ids})
        got = {"vision": ours.encode_images(images),
               "audio": ours.encode_audio(mel) * ours.logit_scale("audio"),
               "text": ours.encode_text(ids) * ours.logit_scale("text")}
    return {k: float((got[k] - expected[k]).abs().max()) for k in got}, expected


def test_embeddings_match_reference_fp32(models):
    ref, ours, _, _ = models
    diffs, expected = _max_diffs(ref, ours)
    print("max abs diff vs reference:", diffs)
    for modality, diff in diffs.items():
        assert diff <= 1e-4, f"{modality} differs from the reference by {diff:.2e}"
    # The embeddings are not degenerate: different inputs give clearly different outputs.
    for modality, out in expected.items():
        assert float((out[0] - out[1]).abs().max()) > 1e-2, modality


def test_two_frame_clips_match_reference(models):
    """The vision stem's time axis: real two-frame clips (the reference's video path)."""
    ref, ours, _, _ = models
    clips = torch.randn(2, 3, 2, 224, 224, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        expected = ref({"vision": clips[:, None]})["vision"]  # (batch, clips per video, ...)
        got = ours.encode_images(clips)
        still = ours.encode_images(clips[:, :, 0])
    assert float((got - expected).abs().max()) <= 1e-4
    assert float((got - still).abs().max()) > 1e-2  # the second frame matters


def test_parity_check_is_sensitive(models):
    """A wrong tensor anywhere shows up far above the tolerance."""
    ref, _, state, config = models
    for key in ("modality_trunks.audio.blocks.1.attn.bias_k",
                "modality_trunks.vision.blocks.0.norm_2.bias",
                "modality_heads.text.proj.0.weight"):
        broken = dict(state)
        broken[key] = state[key] + 0.5
        diffs, _ = _max_diffs(ref, weights.build_model(broken, config=config))
        assert max(diffs.values()) > 1e-3, key


def test_huge_checkpoint_layout_matches_reference(reference, monkeypatch):
    """The reference ImageBind-huge, built on the meta device (no memory): its state dict has
    exactly the names and shapes we expect, and loads into our model with nothing missing or
    unexpected (its depth, thermal and IMU encoders are recognised and left out)."""
    monkeypatch.setattr(reference.transformer, "torch", SUPPORT.torch_with_cpu_linspace())
    with torch.device("meta"):
        huge = reference.imagebind_model.imagebind_huge()
    state = huge.state_dict()
    assert sum(v.numel() for v in state.values()) > 1.1e9  # really the huge layout
    used = {k: tuple(v.shape) for k, v in state.items()
            if k.split(".")[1] not in ("depth", "thermal", "imu")}
    assert used == weights.expected_shapes(HUGE)
    assert weights.check_state_dict(state) == HUGE
    model = weights.build_model(state, device="meta")
    assert {k: tuple(v.shape) for k, v in model.state_dict().items()} == {
        weights.module_name(k): s for k, s in used.items() if weights.module_name(k)}


def test_tokenizer_matches_reference_tokenizer(reference):
    if not reference.bpe.is_file():
        pytest.skip(f"BPE vocabulary missing from the reference source: {reference.bpe}")
    if not reference.has_regex:
        pytest.skip("the reference tokenizer needs the 'regex' package (in the test extra)")
    ref_tok = reference.multimodal_preprocessors.SimpleTokenizer(str(reference.bpe))
    ours = text.Tokenizer(str(reference.bpe))
    samples = ["car chase", "A Car-Chase!! at night's end, 1984 & friends' \"quotes\"",
               "Café déjà vu — naïve 東京 ½ ③", "it'll be y'all's", "  spaced\tout\n words ",
               "&amp; entities &lt;b&gt;", "<|endoftext|>hello",
               *text.emotion_prompts("vision"), *text.emotion_prompts("audio")]
    for sample in samples:
        assert ours([sample])[0].tolist() == ref_tok(sample).tolist(), sample
    # The ids shipped for the emotion prompts are what the tokenizer gives.
    prompts = text.emotion_prompts("vision") + text.emotion_prompts("audio")
    np.testing.assert_array_equal(text.builtin_token_ids(prompts), ours(prompts))

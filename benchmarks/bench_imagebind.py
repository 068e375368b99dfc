"""Benchmark: ImageBind images/s and audio clips/s, ours versus the reference, in one run.

Both models get the same random weights (or a real ``--weights imagebind_huge.pth``) and the same
preprocessed batches; CUDA runs both under bf16 autocast (ours through scaled-dot-product
attention), the CPU in fp32. On CUDA it also times the issue's target: 2,000 shots x 3 frames,
from decoded uint8 frames to embeddings, in at most 10 s. The reference source is fetched with
``python -m tests.support.imagebind_reference --fetch``.

    python benchmarks/bench_imagebind.py [--size small|large|huge] [--images N] [--clips N]
                                         [--batch B] [--weights PATH] [--device cpu|cuda]

Default size: huge on CUDA; on the CPU "small" (vision 512 x 8, audio 384 x 6), which runs in a
minute or two on two cores.
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import numpy as np
import torch

from trailersmith.core.features.imagebind import preprocess, weights
from trailersmith.core.features.imagebind.model import HUGE, ImageBindConfig, TowerConfig

SIZES = {
    "small": ImageBindConfig(TowerConfig(512, 8, 8), TowerConfig(384, 6, 6),
                             TowerConfig(256, 2, 4), 512),
    "large": ImageBindConfig(TowerConfig(1024, 24, 16), TowerConfig(768, 12, 12),
                             TowerConfig(768, 12, 12), 768),
    "huge": HUGE,
}


def _support():
    spec = importlib.util.spec_from_file_location(
        "imagebind_reference", Path(__file__).resolve().parents[1] / "tests" / "support"
        / "imagebind_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_pair(config: ImageBindConfig, device: torch.device, weights_path=None):
    """(reference model, our model) with identical weights on ``device``."""
    support = _support()
    ref_mod = support.load_imagebind()
    ref_mod.transformer.torch = support.torch_with_cpu_linspace()
    with torch.device("meta"):  # no random init of a billion parameters
        ref = ref_mod.imagebind_model.ImageBindModel(
            vision_embed_dim=config.vision.width, vision_num_blocks=config.vision.depth,
            vision_num_heads=config.vision.heads, audio_embed_dim=config.audio.width,
            audio_num_blocks=config.audio.depth, audio_num_heads=config.audio.heads,
            text_embed_dim=config.text.width, text_num_blocks=config.text.depth,
            text_num_heads=config.text.heads, out_embed_dim=config.embed_dim,
            depth_num_blocks=1, thermal_num_blocks=1, imu_num_blocks=1)
    ref = ref.to_empty(device=device).eval().requires_grad_(False)
    if weights_path:
        state = weights.read_checkpoint(weights_path)
        ref.load_state_dict(state, strict=False)
        state = {k: v for k, v in ref.state_dict().items()}
    else:
        state = ref.state_dict()
        with torch.no_grad():
            g = torch.Generator(device=device).manual_seed(0)
            for key, t in state.items():
                if key.endswith("text.mask"):
                    t.copy_(torch.full(t.shape, float("-inf"), device=device).triu(1))
                elif t.ndim >= 2:
                    t.normal_(0.0, float(np.prod(t.shape[1:])) ** -0.5, generator=g)
                elif key.endswith("weight"):
                    t.normal_(1.0, 0.1, generator=g)
                else:
                    t.normal_(0.0, 0.1, generator=g)
    used = {k: v for k, v in state.items() if k.split(".")[1] not in ("depth", "thermal", "imu")}
    ours = weights.build_model(used, config=config, device=device)  # shares the tensors
    return ref, ours


def _sync(device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def _time(fn, batches, device) -> float:
    """Seconds for ``fn`` over ``batches`` after one warm-up call."""
    fn(batches[0])
    _sync(device)
    t = time.perf_counter()
    for b in batches:
        fn(b)
    _sync(device)
    return time.perf_counter() - t


def _time_pair(fn_a, fn_b, batches, device):
    """Seconds for two functions over the same batches, alternating batch by batch so that a
    change in machine load (shared CPUs) hits both alike."""
    fn_a(batches[0]), fn_b(batches[0])
    spent = [0.0, 0.0]
    for b in batches:
        for k, fn in enumerate((fn_a, fn_b)):
            _sync(device)
            t = time.perf_counter()
            fn(b)
            _sync(device)
            spent[k] += time.perf_counter() - t
    return spent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--size", choices=sorted(SIZES))
    ap.add_argument("--images", type=int, help="images per timed run")
    ap.add_argument("--clips", type=int, help="audio clips per timed run")
    ap.add_argument("--batch", type=int)
    ap.add_argument("--weights", help="real imagebind_huge.pth instead of random weights")
    ap.add_argument("--shots", type=int, default=2000, help="shots for the CUDA target (x3)")
    args = ap.parse_args()
    device = torch.device(args.device)
    gpu = device.type == "cuda"
    size = args.size or ("huge" if gpu or args.weights else "small")
    config = HUGE if args.weights else SIZES[size]
    batch = args.batch or (256 if gpu else 8)
    n_images = args.images or (2048 if gpu else 32)
    n_clips = args.clips or (2048 if gpu else 64)
    amp = dict(device_type=device.type, dtype=torch.bfloat16, enabled=gpu)
    where = torch.cuda.get_device_name(device) if gpu else f"CPU, {torch.get_num_threads()} threads"
    print(f"device: {where}; precision: {'bf16 autocast' if gpu else 'fp32'}; size: {size} "
          f"(vision {config.vision.width}x{config.vision.depth}, audio "
          f"{config.audio.width}x{config.audio.depth}); batch {batch}; "
          f"{'real' if args.weights else 'random'} weights")
    try:
        t = time.perf_counter()
        ref, ours = build_pair(config, device, args.weights)
        print(f"models ready in {time.perf_counter() - t:.1f} s")
    except FileNotFoundError as exc:
        sys.exit(str(exc))

    g = torch.Generator(device=device).manual_seed(1)
    images = [torch.randn(batch, 3, 224, 224, device=device, generator=g)
              for _ in range(max(1, n_images // batch))]
    mels = [torch.randn(batch, 1, 128, 204, device=device, generator=g)
            for _ in range(max(1, n_clips // batch))]

    with torch.inference_mode(), torch.autocast(**amp):
        probe = images[0][:4]
        diff_v = float((ours.encode_images(probe) - ref({"vision": probe})[
            "vision"].float()).abs().max())
        rows = []
        for name, ours_fn, ref_fn, data in (
                ("images", ours.encode_images, lambda x: ref({"vision": x}), images),
                ("audio clips", ours.encode_audio, lambda x: ref({"audio": x}), mels)):
            n = sum(len(b) for b in data)
            t_ours, t_ref = _time_pair(ours_fn, ref_fn, data, device)
            rows.append((name, n / t_ours, n / t_ref))
    print(f"sanity: max |ours - reference| on {len(probe)} images = {diff_v:.2e}")
    for name, ours_rate, ref_rate in rows:
        print(f"{name:12s}/s  ours {ours_rate:9.3g}   reference {ref_rate:9.3g}   "
              f"ratio {ours_rate / ref_rate:5.2f}x")

    # Our preprocessing, on the device: 796x448 uint8 frames (what the decoder hands over for
    # 1080p) and 2 s clips through the Kaldi filterbank.
    frames = torch.randint(0, 256, (batch, 448, 796, 3), dtype=torch.uint8, device=device)
    t_pre = _time(preprocess.images_to_tensor, [frames] * 4, device)
    wave = [np.random.default_rng(0).standard_normal(32000).astype(np.float32)] * batch
    t_fb = _time(preprocess.audio_clips_to_tensor, [wave] * 4, torch.device("cpu"))
    print(f"preprocessing/s  frames {4 * batch / t_pre:9.3g}   audio clips (CPU fbank) "
          f"{4 * batch / t_fb:9.3g}")

    total = 3 * args.shots
    if not gpu:
        print(f"{args.shots} shots x 3 frames in <= 10 s: not measured, needs a CUDA GPU "
              f"(this CPU at size {size}: {total / rows[0][1]:.0f} s model time alone)")
        return
    if size != "huge":
        print("the 10 s target is for ImageBind-huge: re-run with --size huge")
        return
    frames = torch.randint(0, 256, (total, 448, 796, 3), dtype=torch.uint8).pin_memory()
    torch.cuda.synchronize()
    t = time.perf_counter()
    with torch.inference_mode(), torch.autocast(**amp):
        out = [ours.encode_images(preprocess.images_to_tensor(
            frames[i:i + batch].to(device, non_blocking=True))).cpu()
            for i in range(0, total, batch)]
    torch.cuda.synchronize()
    elapsed = time.perf_counter() - t
    print(f"{args.shots} shots x 3 frames ({total} frames, uint8 796x448 -> embeddings): "
          f"{elapsed:.2f} s (target <= 10 s) -> {'PASS' if elapsed <= 10 else 'FAIL'}; "
          f"{len(torch.cat(out))} embeddings")


if __name__ == "__main__":
    main()

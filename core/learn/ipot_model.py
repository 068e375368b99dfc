"""IPOT (paper 000, sections 3.2-3.4): two-tower encoder, cross-attention selector, Sinkhorn
aligner.

* Encoder (eq. 1): an MLP per modality, then one self-attention Transformer layer per modality.
* Selector (eq. 2-3): each modality attends to the other (residual cross-attention); an MLP on
  the movie side gives every shot's probability of being in the trailer.
* Aligner (eq. 4, Algorithm 1): entropic OT on the squared latent distance, log-domain Sinkhorn,
  unrolled so gradients flow through it (the hypergradient of eq. 6 by automatic
  differentiation).
* Training loss (eq. 5): ``KL(T/J || T_hat) + delta * BCE(mu_hat, mu)`` where ``T_hat`` is the
  *partial* plan whose row marginal is the ground-truth selection (rows of unselected shots carry
  no mass). The KL is taken with the observed plan first: the paper's printed order,
  ``KL(T_hat || T/J)``, is infinite wherever the one-hot ``T`` is 0 and ``T_hat`` is not.
* Inference (section 3.4): the ``J`` most probable *eligible* shots (the problem's spoiler guard),
  then the one-to-one matching that minimises ``|v_i - a_j|^2 + eta |tau_i - tau_j|`` (eq. 7-8);
  rounding the entropic plan of eq. 7 to a permutation gives this same matching.
"""
from __future__ import annotations

from typing import Dict, Tuple

import numpy as np

from .config_schema import Param, defaults
from .tensors import EXTRA_DIMS

#: The tunable keys of a model configuration (plain ints/floats, stored in checkpoints).
SCHEMA = {
    "hidden": Param(int, 64, 8, 1024, "latent width (a multiple of heads)"),
    "heads": Param(int, 2, 1, 64, "attention heads"),
    "dropout": Param(float, 0.1, 0.0, 0.9),
    "lam": Param(float, 0.05, 1e-4, 10.0, "Sinkhorn entropic regularisation"),
    "sinkhorn_iters": Param(int, 30, 1, 1000),
    "delta": Param(float, 1.0, 0.0, 1000.0, "weight of the selection BCE (eq. 5)"),
    "pos_weight": Param(float, 1.0, 1e-3, 1000.0, "BCE weight of selected shots"),
}
DEFAULTS = defaults(SCHEMA)

_NEG = -1e4  # log-mass of rows/columns that carry none (finite, so no NaN in logsumexp)


def build(config: Dict):
    """An :class:`IPOTNet` for ``config`` (which must hold ``movie_dim`` and ``music_dim``)."""
    return _net_class()(config)


def sinkhorn_log(cost, log_a, log_b, lam: float, iters: int):
    """Entropic OT plan ``(B, I, J)`` by log-domain Sinkhorn scaling (differentiable).

    ``log_a`` (B, I) and ``log_b`` (B, J) are log-marginals; use a large negative number for
    rows or columns that must carry no mass.
    """
    import torch

    k = -cost / lam
    f = torch.zeros_like(log_a)
    g = torch.zeros_like(log_b)
    for _ in range(iters):
        g = log_b - torch.logsumexp(k + f[:, :, None], dim=1)
        f = log_a - torch.logsumexp(k + g[:, None, :], dim=2)
    return torch.exp(k + f[:, :, None] + g[:, None, :])


def _net_class():
    import torch
    from torch import nn

    def mlp(i, h, o):
        return nn.Sequential(nn.Linear(i, h), nn.GELU(), nn.Linear(h, o))

    class CrossAttention(nn.Module):
        def __init__(self, d, heads, dropout):
            super().__init__()
            self.norm_q, self.norm_kv = nn.LayerNorm(d), nn.LayerNorm(d)
            self.attn = nn.MultiheadAttention(d, heads, dropout=dropout, batch_first=True)

        def forward(self, x, ctx, ctx_mask):
            kv = self.norm_kv(ctx)
            out, _ = self.attn(self.norm_q(x), kv, kv, key_padding_mask=~ctx_mask,
                               need_weights=False)
            return x + out

    class IPOTNet(nn.Module):
        def __init__(self, config):
            super().__init__()
            d, h, p = int(config["hidden"]), int(config["heads"]), float(config["dropout"])
            self.config = dict(config)
            self.mlp_m = mlp(int(config["movie_dim"]) + EXTRA_DIMS, d, d)
            self.mlp_a = mlp(int(config["music_dim"]) + EXTRA_DIMS, d, d)

            def layer():
                return nn.TransformerEncoderLayer(d, h, 2 * d, p, batch_first=True,
                                                  norm_first=True)
            self.sa_m, self.sa_a = layer(), layer()
            self.ca_m, self.ca_a = CrossAttention(d, h, p), CrossAttention(d, h, p)
            self.selector = mlp(d, d, 1)
            self.out_norm = nn.LayerNorm(d)

        def forward(self, movie, movie_mask, music, music_mask):
            """Latents ``(B, I, d)``, ``(B, J, d)`` and selection logits ``(B, I)``."""
            m = self.sa_m(self.mlp_m(movie), src_key_padding_mask=~movie_mask)
            a = self.sa_a(self.mlp_a(music), src_key_padding_mask=~music_mask)
            m_bar = self.ca_m(m, a, music_mask)
            a_bar = self.ca_a(a, m, movie_mask)
            logits = self.selector(m_bar).squeeze(-1)
            return self.out_norm(m_bar), self.out_norm(a_bar), logits

        @staticmethod
        def distance(m_bar, a_bar):
            """Squared latent distance per dimension ``(B, I, J)``."""
            return torch.cdist(m_bar, a_bar).pow(2) / m_bar.shape[-1]

    return IPOTNet


def loss(model, batch: Dict) -> Tuple[object, Dict[str, float]]:
    """Eq. 5 on a batch from :func:`tensors.make_batch`; returns (loss tensor, logged numbers)."""
    import torch
    import torch.nn.functional as F

    cfg = model.config
    m_bar, a_bar, logits = model(batch["movie"], batch["movie_mask"], batch["music"],
                                 batch["music_mask"])
    match, music_mask, movie_mask = batch["match"], batch["music_mask"], batch["movie_mask"]
    b, i_max = logits.shape
    valid = (match >= 0) & music_mask
    n_slots = valid.sum(dim=1).clamp(min=1).float()                       # J per pair
    counts = torch.zeros(b, i_max, device=logits.device)
    counts.scatter_add_(1, match.clamp(min=0), valid.float())
    selected = counts > 0
    log_a = torch.where(selected, torch.log(counts.clamp(min=1e-9) / n_slots[:, None]),
                        torch.full_like(counts, _NEG))
    log_b = torch.where(valid, -torch.log(n_slots)[:, None].expand_as(valid).float(),
                        torch.full(valid.shape, _NEG, device=logits.device))
    cost = model.distance(m_bar, a_bar).masked_fill(~(movie_mask[:, :, None] & valid[:, None, :]),
                                                    0.0)
    plan = sinkhorn_log(cost, log_a, log_b, float(cfg["lam"]), int(cfg["sinkhorn_iters"]))
    picked = plan.gather(1, match.clamp(min=0)[:, None, :]).squeeze(1).clamp(min=1e-12)
    kl_terms = (-torch.log(n_slots)[:, None] - torch.log(picked)) / n_slots[:, None]
    kl = (kl_terms * valid).sum(dim=1).mean()
    target = selected.float()
    bce = F.binary_cross_entropy_with_logits(
        logits[movie_mask], target[movie_mask],
        pos_weight=torch.tensor(float(cfg["pos_weight"]), device=logits.device))
    total = kl + float(cfg["delta"]) * bce
    return total, {"kl": float(kl.detach()), "bce": float(bce.detach())}


def predict(model, movie: np.ndarray, music: np.ndarray, eligible: np.ndarray,
            shot_durations_s: np.ndarray, segment_durations_s: np.ndarray, *, eta: float = 0.05
            ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Section 3.4 for one movie: ``(shots per segment, selection probabilities, plan)``.

    ``movie``/``music`` are token matrices (:func:`tensors.tokens`). ``plan`` is the entropic
    plan of eq. 7 between the selected shots and the segments, as ``(I, J)`` with zeros for
    shots not selected.
    """
    import torch
    from scipy.optimize import linear_sum_assignment

    model.eval()
    j = len(music)
    with torch.no_grad():
        m_bar, a_bar, logits = model(torch.from_numpy(movie)[None], torch.ones(1, len(movie),
                                     dtype=torch.bool), torch.from_numpy(music)[None],
                                     torch.ones(1, j, dtype=torch.bool))
        prob = torch.sigmoid(logits[0]).numpy().astype(np.float64)
        idx = np.flatnonzero(eligible)
        sel = idx[np.argsort(-prob[idx], kind="stable")[:j]]
        dist = model.distance(m_bar[:, sel], a_bar)[0].numpy().astype(np.float64)
    cost = dist + eta * np.abs(shot_durations_s[sel][:, None] - segment_durations_s[None, :])
    rows, cols = linear_sum_assignment(cost)
    shots = np.empty(j, np.int64)
    shots[cols] = sel[rows]
    with torch.no_grad():
        c = torch.from_numpy(cost)[None]
        uniform = torch.full((1, j), -float(np.log(j)), dtype=c.dtype)
        sub = sinkhorn_log(c, uniform, uniform, float(model.config["lam"]),
                           int(model.config["sinkhorn_iters"]))[0].numpy()
    plan = np.zeros((len(movie), j))
    plan[sel] = sub
    return shots, prob, plan

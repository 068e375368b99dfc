"""SSMP (paper 001, sections 3.1-3.3): masked prediction over [movie shots; trailer slots].

* Mask predictor: a Transformer encoder (pre-RMSNorm blocks, SiLU feed-forward, supplement
  eq. 9-12) over the movie's shot tokens followed by ``J`` trailer-slot tokens. A slot holds
  either the learnable mask placeholder ``MP`` or the embedding of the shot chosen for it (eq. 2).
  Slots also carry their time position and duration and, unless ``use_music`` is off, the music
  under them: the paper's model sees only ``J``, here the music is always known.
* Eq. 3-4: the prediction at each slot is compared by cosine similarity with every movie shot
  (divided by ``temperature``; the paper's unscaled cosine cannot make a softmax over thousands of
  shots confident) and trained by cross-entropy on the masked slots, weighted by ``1/t``. The
  shots are represented by the encoder's own outputs at the movie positions (low-dimensional
  input features cannot tell shots apart by cosine alone).
* Eq. 5-6: :class:`SelfPacedMaskRatio`, the momentum scheduler, never lowering the ratio.
  The scheduled ``t`` is the upper end: each pair draws its own ratio in ``[t_min, t]``, so
  training keeps seeing partly filled trailers (the scheduler reaches ~1 within a few epochs,
  and decoding passes through every ratio from all slots masked down to one).
* Added to the paper: a "check" term (``check_weight``) that also trains the prediction at
  *filled* slots, some given a wrong shot (half of them the model's own runner-up guess, the
  mistakes decoding makes), so Algorithm 1's confidence in a filled slot means something (the
  paper's loss only covers masked slots, and the scheduler soon masks nearly all).
* Also added: ``unroll``. In the check term, that share of the masked slots holds the model's
  own draft (a sample from its first prediction) instead of ``MP``: the half-right states decoding
  passes through (the idea of step-unrolled denoising). On the planted benchmark it raised greedy
  F1@1 from 0.919 to 0.928 (seed 0) and from 0.892 to 0.915 (seed 1).
* Algorithm 1: :func:`decode_self_corrective`; :func:`decode_greedy` is the paper's ablation
  (one slot, the most confident, filled per step and never revisited).

Decoding, measured (``benchmarks/bench_learned.py`` and variants; 8 trained models, 4 seeds, 2
sizes): greedy scores a higher F1@1 than Algorithm 1 on 7 of 8 (greedy minus Algorithm 1: -0.003
to +0.011) and a higher alignment F1@1 on all 8 (+0.01 to +0.04). Algorithm 1 fills many slots
per step without one seeing the others, and its accumulated ``q`` keeps early fills. Softer
decoding probabilities made Algorithm 1 worse (alignment F1@1 down to 0.71). Holding back slots
whose first choice was taken, re-masking fills the model disagrees with, a correction sweep
(single changes or swaps scored by the model) after either decoder, and the best of 4-8
Algorithm 1 runs by the model's own score stayed within +-0.01 F1@1 of greedy, with either sign,
and none was ahead in alignment F1@1 on every seed. For choosing shots the limit is the model,
not the order: greedy's F1@1 equals the model's slot accuracy when every *other* slot holds its
true shot (0.928 both). Placement has room (greedy's alignment F1@1 is 0.855), but no variant
above recovered it. Greedy is therefore the default in :func:`..generate.generate_ssmp`.
"""
from __future__ import annotations

import math
from typing import Dict, Optional, Tuple

import numpy as np

from .config_schema import Param, defaults
from .tensors import EXTRA_DIMS

#: How a trained SSMP model fills the trailer slots: greedy (the default, deterministic) or the
#: paper's self-corrective Algorithm 1.
DECODINGS = ("greedy", "self-corrective")

#: The tunable keys of a model configuration (plain ints/floats/bools, stored in checkpoints).
SCHEMA = {
    "hidden": Param(int, 64, 8, 1024, "width (a multiple of heads)"),
    "heads": Param(int, 4, 1, 64),
    "layers": Param(int, 2, 1, 12),
    "dropout": Param(float, 0.1, 0.0, 0.9),
    "use_music": Param(bool, True),
    "temperature": Param(float, 0.1, 1e-3, 10.0, "cosine softmax temperature (eq. 3)"),
    "t_min": Param(float, 0.1, 0.0, 1.0, "lowest mask ratio (eq. 6)"),
    "t_max": Param(float, 1.0, 0.0, 1.0, "highest mask ratio"),
    "beta": Param(float, 10.0, 0.0, 1000.0),
    "mu_a": Param(float, 0.98, 0.0, 1.0),
    "mu_t": Param(float, 0.1, 0.0, 1.0),
    "check_weight": Param(float, 1.0, 0.0, 100.0),
    "corrupt": Param(float, 0.3, 0.0, 1.0),
    "unroll": Param(float, 0.5, 0.0, 1.0),
}
DEFAULTS = defaults(SCHEMA)


def build(config: Dict):
    """An :class:`SSMPNet` for ``config`` (which must hold ``movie_dim`` and ``music_dim``)."""
    return _net_class()(config)


class SelfPacedMaskRatio:
    """Eq. 6: ``b <- mu_a a + (1 - mu_a) b``; ``t <- max(t, mu_t t + (1 - mu_t) target(b))``.

    ``target(b) = t_min + (t_max - t_min) * sigmoid(beta (b - 0.5))``. The ratio never decreases.
    """

    def __init__(self, t_min=0.1, t_max=1.0, beta=10.0, mu_a=0.98, mu_t=0.1, t=None, b=0.0):
        self.t_min, self.t_max, self.beta = float(t_min), float(t_max), float(beta)
        self.mu_a, self.mu_t = float(mu_a), float(mu_t)
        self.t = float(t_min if t is None else t)
        self.b = float(b)

    def update(self, accuracy: float) -> float:
        """Take the training accuracy of the step just done; return the next mask ratio."""
        self.b = self.mu_a * float(accuracy) + (1.0 - self.mu_a) * self.b
        target = self.t_min + (self.t_max - self.t_min) / (1.0 + math.exp(-self.beta *
                                                                           (self.b - 0.5)))
        self.t = max(self.t, self.mu_t * self.t + (1.0 - self.mu_t) * target)
        return self.t

    def state(self) -> Dict[str, float]:
        return {"t": self.t, "b": self.b}


def _net_class():
    import torch
    import torch.nn.functional as F
    from torch import nn

    class Block(nn.Module):
        def __init__(self, d, heads, dropout):
            super().__init__()
            self.heads, self.dropout = heads, dropout
            self.norm1, self.norm2 = nn.RMSNorm(d), nn.RMSNorm(d)
            self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
            self.ffn = nn.Sequential(nn.Linear(d, 2 * d), nn.SiLU(), nn.Linear(2 * d, d))
            self.drop = nn.Dropout(dropout)

        def forward(self, x, mask):
            b, n, d = x.shape
            q, k, v = self.qkv(self.norm1(x)).view(b, n, 3, self.heads, d // self.heads) \
                .permute(2, 0, 3, 1, 4)
            att = F.scaled_dot_product_attention(q, k, v, attn_mask=mask[:, None, None, :],
                                                 dropout_p=self.dropout if self.training else 0)
            x = x + self.drop(self.proj(att.transpose(1, 2).reshape(b, n, d)))
            return x + self.drop(self.ffn(self.norm2(x)))

    class SSMPNet(nn.Module):
        def __init__(self, config):
            super().__init__()
            d = int(config["hidden"])
            self.config = dict(config)
            self.use_music = bool(config["use_music"])
            slot_in = (int(config["music_dim"]) + EXTRA_DIMS) if self.use_music else EXTRA_DIMS
            self.in_movie = nn.Linear(int(config["movie_dim"]) + EXTRA_DIMS, d)
            self.in_slot = nn.Linear(slot_in, d)
            self.mask_token = nn.Parameter(0.02 * torch.randn(d))
            self.type_emb = nn.Parameter(0.02 * torch.randn(2, d))
            self.blocks = nn.ModuleList(Block(d, int(config["heads"]), float(config["dropout"]))
                                        for _ in range(int(config["layers"])))
            self.out_norm = nn.RMSNorm(d)
            self.head, self.key = nn.Linear(d, d), nn.Linear(d, d)

        def forward(self, movie, movie_mask, slots, slot_mask, filled):
            """Logits ``(B, J, I)`` of putting shot ``i`` in slot ``j`` (``filled`` -1 = MP)."""
            if not self.use_music:
                slots = slots[..., -EXTRA_DIMS:]
            hm = self.in_movie(movie)
            chosen = hm.gather(1, filled.clamp(min=0)[..., None].expand(-1, -1, hm.shape[-1]))
            content = torch.where((filled >= 0)[..., None], chosen, self.mask_token)
            hs = content + self.in_slot(slots) + self.type_emb[1]
            x = torch.cat([hm + self.type_emb[0], hs], dim=1)
            mask = torch.cat([movie_mask, slot_mask], dim=1)
            for blk in self.blocks:
                x = blk(x, mask)
            x = self.out_norm(x)
            n = movie.shape[1]
            keys = F.normalize(self.key(x[:, :n]), dim=-1)
            preds = F.normalize(self.head(x[:, n:]), dim=-1)
            logits = preds @ keys.transpose(1, 2) / float(self.config["temperature"])
            return logits.masked_fill(~movie_mask[:, None, :], -1e9)

    return SSMPNet


def loss(model, batch: Dict, mask_ratio: float, generator=None) -> Tuple[object, Dict]:
    """Eq. 4 with slots masked at ``mask_ratio``, plus the filled-slot check term.

    Returns ``(loss, {"accuracy": eq. 5 on the masked slots, ...})``. The check term (weight
    ``check_weight``, 0 turns it off) masks each pair at its own random ratio, gives some of the
    remaining slots a wrong shot (a random one or a neighbour of the right one) and asks for the
    right shot at masked, wrong and some untouched slots alike. Without it the prediction at a
    *filled* slot is never trained, and Algorithm 1 could not tell a doubtful fill from a sure one.
    """
    import torch

    match, slot_mask = batch["match"], batch["music_mask"] & (batch["match"] >= 0)
    u = torch.rand(match.shape, generator=generator).to(match.device)
    # Each pair draws its own ratio in [t_min, t]: decoding meets every ratio from all slots
    # masked down to one, so training must too (at t = 1 alone, filled slots never teach).
    t_min = min(float(model.config.get("t_min", 0.1)), float(mask_ratio))
    ratio = t_min + (float(mask_ratio) - t_min) * torch.rand(
        match.shape[0], 1, generator=generator).to(match.device)
    masked = (u < ratio) & slot_mask
    # At least one masked slot per pair, else the pair teaches nothing this step.
    none = ~masked.any(dim=1)
    if none.any():
        first = torch.where(slot_mask, u, torch.full_like(u, 2.0)).argmin(dim=1)
        masked[none, first[none]] = True
    filled = torch.where(masked | ~slot_mask, torch.full_like(match, -1), match)
    logits = model(batch["movie"], batch["movie_mask"], batch["music"], slot_mask, filled)
    ce = _slot_ce(logits, match)
    n_slots = slot_mask.sum(dim=1).clamp(min=1).float()
    total = ((ce * masked).sum(dim=1) / (ratio[:, 0] * n_slots)).mean()
    correct = ((logits.argmax(dim=-1) == match) & masked).sum().float()
    accuracy = float(correct / masked.sum().clamp(min=1))
    logged = {"accuracy": accuracy, "mask_ratio": float(mask_ratio)}
    weight = float(model.config.get("check_weight", 0.0))
    if weight > 0:
        check = _check_loss(model, batch, slot_mask, generator, logits.detach())
        total = total + weight * check
        logged["check"] = float(check.detach())
    return total, logged


def _slot_ce(logits, match):
    import torch.nn.functional as F

    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), match.clamp(min=0).reshape(-1),
                           reduction="none").view(match.shape)


def _check_loss(model, batch, slot_mask, generator, logits):
    import torch

    match, dev = batch["match"], batch["match"].device
    shape = match.shape
    rand = lambda *s: torch.rand(*s, generator=generator).to(dev)  # noqa: E731
    n_movie = batch["movie_mask"].sum(dim=1, keepdim=True)
    masked = (rand(shape) < rand(shape[0], 1)) & slot_mask
    kept = slot_mask & ~masked
    rate = float(model.config.get("corrupt", 0.3))
    corrupt = kept & (rand(shape) < rate)
    near = match + torch.where(rand(shape) < 0.5, -1, 1) * (1 + (rand(shape) * 3).long())
    wrong = torch.where(rand(shape) < 0.5, (rand(shape) * n_movie).long(), near)
    wrong = torch.minimum(wrong.clamp(min=0), n_movie - 1)
    # Half the wrong shots are the model's own runner-up guesses: the mistakes decoding makes.
    own = logits.scatter(-1, match.clamp(min=0)[..., None], -1e9)
    own = torch.multinomial(torch.softmax(own, dim=-1).reshape(-1, own.shape[-1]), 1,
                            generator=generator).view(shape).to(dev)
    wrong = torch.where(rand(shape) < 0.5, own, wrong)
    filled = torch.where(corrupt, wrong, torch.where(masked | ~slot_mask, -1, match))
    unroll = float(model.config.get("unroll", 0.0))
    if unroll > 0:
        # The model's own draft at masked slots (sampled from its first prediction), as
        # decoding leaves it: right or wrong, it must still name the right shot there.
        draft = torch.multinomial(torch.softmax(logits, dim=-1).reshape(-1, logits.shape[-1]),
                                  1, generator=generator).view(shape).to(dev)
        drafted = masked & (rand(shape) < unroll)
        filled = torch.where(drafted, draft, filled)
    asked = masked | corrupt | (kept & (rand(shape) < rate))
    logits = model(batch["movie"], batch["movie_mask"], batch["music"], slot_mask, filled)
    ce = _slot_ce(logits, match)
    return ((ce * asked).sum(dim=1) / asked.sum(dim=1).clamp(min=1)).mean()


def slot_probabilities(model, movie, slots, filled: np.ndarray, pool: np.ndarray
                       ) -> np.ndarray:
    """Softmax over the shots in ``pool`` for every slot: ``(J, I)``, zero outside the pool."""
    import torch

    with torch.no_grad():
        logits = model(torch.from_numpy(movie)[None], torch.ones(1, len(movie), dtype=torch.bool),
                       torch.from_numpy(slots)[None], torch.ones(1, len(slots), dtype=torch.bool),
                       torch.from_numpy(filled)[None])[0].numpy().astype(np.float64)
    logits = np.where(pool[None, :], logits, -np.inf)
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)


def decode_greedy(model, movie: np.ndarray, slots: np.ndarray, eligible: np.ndarray
                  ) -> Tuple[np.ndarray, np.ndarray]:
    """Fill the single most confident (slot, shot) per step, never revisiting: ``(z, conf)``."""
    model.eval()
    j = len(slots)
    filled = np.full(j, -1, np.int64)
    conf = np.zeros(j)
    pool = np.asarray(eligible, bool).copy()
    for _ in range(j):
        p = slot_probabilities(model, movie, slots, filled, pool)
        p[filled >= 0] = -1.0
        slot, shot = np.unravel_index(int(np.argmax(p)), p.shape)
        filled[slot], conf[slot] = shot, p[slot, shot]
        pool[shot] = False
    return filled, conf


def decode_self_corrective(model, movie: np.ndarray, slots: np.ndarray, eligible: np.ndarray,
                           rng: np.random.Generator, max_rounds: Optional[int] = None
                           ) -> Tuple[np.ndarray, np.ndarray]:
    """Algorithm 1: fill slots by accumulated confidence, re-mask the unsure ones.

    Each round, every slot is re-predicted. An empty slot proposes its most probable shot still in
    the pool; a filled slot re-scores its own shot. ``q_j`` grows by that probability (eq. 7) and a
    Bernoulli(``q_j``) draw keeps the slot or re-masks it, returning its shot to the pool (eq. 8).
    Slots are visited from the most to the least confident and a shot taken in this round leaves
    the pool at once, so no shot is used twice. After ``max_rounds`` (default ``4 J``) the rest
    is filled greedily, so decoding always ends.
    """
    model.eval()
    j = len(slots)
    max_rounds = 4 * j if max_rounds is None else max_rounds
    z = np.full(j, -1, np.int64)
    q = np.zeros(j)
    pool = np.asarray(eligible, bool).copy()
    for _ in range(max_rounds):
        if (z >= 0).all():
            break
        p = slot_probabilities(model, movie, slots, z, pool | _one_hot(z, len(pool)))
        proposal = np.where(z >= 0, z, -1)
        conf = np.zeros(j)
        for slot in range(j):
            if z[slot] >= 0:
                conf[slot] = p[slot, z[slot]]
        for slot in np.argsort(-np.where(z >= 0, conf, p.max(axis=1)), kind="stable"):
            if z[slot] < 0:
                cand = np.where(pool, p[slot], -1.0)
                proposal[slot] = int(np.argmax(cand))
                conf[slot] = cand[proposal[slot]]
            q[slot] = min(q[slot] + conf[slot], 1.0)
            if rng.random() < q[slot]:
                if z[slot] < 0:
                    z[slot] = proposal[slot]
                    pool[z[slot]] = False
            elif z[slot] >= 0:
                pool[z[slot]] = True
                z[slot] = -1
    while (z < 0).any():
        p = slot_probabilities(model, movie, slots, z, pool)
        p[z >= 0] = -1.0
        slot, shot = np.unravel_index(int(np.argmax(p)), p.shape)
        z[slot], q[slot] = shot, max(q[slot], p[slot, shot])
        pool[shot] = False
    return z, q


def _one_hot(z: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n, bool)
    out[z[z >= 0]] = True
    return out

"""A synthetic "planted" benchmark: movies whose trailers follow a hidden rule a model can learn.

Every movie has shots with a hidden content vector ``c`` (scene-correlated). The rule, fixed by
the benchmark seed and shared by all movies:

* **trailer-worthiness** is a non-linear function of ``c`` (a linear score plus a rectified one);
  the official trailer takes the ``J`` most worthy shots among the first 90% of the movie that
  last at least 1 s (the spoiler guard), shown in story (chronological) order;
* **music correspondence**: the music under trailer shot ``j`` is described by a *different*
  mixing of the same content, so a shot and its music are close only after a learnt map;
* observed shot features mix ``c`` with nuisance dimensions through one random matrix, music
  features through another; music segments are at most as long as their shots (trailers trim).

Optional cross-slot structure (off by default): ``twins`` gives a share of trailer shots a
near-duplicate just beyond a neighbouring trailer shot, so only the shots the neighbouring slots
hold (story order) say which copy is right. Measured so far it does not make SSMP's
self-corrective decoding beat its greedy decoding (differences within +-0.01 F1@1, either sign);
neither did ``paired`` (greedy ahead on both seeds tried).

A zero-shot matcher that compares shot and music features directly (``ot``) has no way to see
either rule; a trained IPOT or SSMP can learn both from training movies.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List

import numpy as np

from ..options import default
from .dataset import PairExample


@dataclass(frozen=True)
class PlantedRule:
    """The hidden rule (drawn once from the benchmark seed)."""

    content_dim: int
    movie_mix: np.ndarray   # (movie_dim, content_dim + nuisance)
    music_mix: np.ndarray   # (music_dim, content_dim + nuisance)
    worth_linear: np.ndarray
    worth_rectified: np.ndarray
    nuisance_dim: int


def make_rule(seed: int = 0, *, content_dim: int = 6, nuisance_dim: int = 4,
              movie_dim: int = 16, music_dim: int = 16) -> PlantedRule:
    """Draw the hidden rule of a planted benchmark."""
    rng = np.random.default_rng([seed, 7001])
    width = content_dim + nuisance_dim
    u = rng.normal(size=content_dim)
    v = rng.normal(size=content_dim)
    return PlantedRule(
        content_dim=content_dim, nuisance_dim=nuisance_dim,
        movie_mix=rng.normal(size=(movie_dim, width)) / np.sqrt(width),
        music_mix=rng.normal(size=(music_dim, width)) / np.sqrt(width),
        worth_linear=u / np.linalg.norm(u), worth_rectified=v / np.linalg.norm(v))


def make_movie(rule: PlantedRule, rng: np.random.Generator, movie_id: str, *,
               shots=(60, 100), trailer_shots=(8, 14),
               spoiler_guard: float = default("spoiler_guard"),
               noise: float = 0.05, music_noise: float = 0.5, worth_noise: float = 0.3,
               paired: bool = False, shot_detail: float = 1.0, twins: float = 0.0
               ) -> PairExample:
    """One planted movie with its official trailer.

    ``music_noise`` blurs the content the music reveals (so one segment fits several shots);
    ``worth_noise`` adds per-shot randomness the rule cannot predict. ``paired``: the trailer
    takes the two most worthy shots of each of its most worthy scenes, and the music under them
    reveals the scene but only ``shot_detail`` of what sets a shot apart within it, so which of
    the two goes first is clear only from the other (story order).
    """
    n = int(rng.integers(shots[0], shots[1] + 1))
    scene_sizes = []
    while sum(scene_sizes) < n:
        scene_sizes.append(int(rng.integers(3, 9)))
    scenes = np.repeat(np.arange(len(scene_sizes)), scene_sizes)[:n]
    scene_means = rng.normal(size=(len(scene_sizes), rule.content_dim))
    content = scene_means[scenes] + 0.6 * rng.normal(size=(n, rule.content_dim))
    worth = content @ rule.worth_linear + 1.5 * np.maximum(content @ rule.worth_rectified, 0)
    worth = worth + worth_noise * rng.normal(size=n)
    durations = np.clip(np.exp(rng.normal(np.log(3.0), 0.5, size=n)), 0.6, 15.0)

    nuisance = rng.normal(size=(n, rule.nuisance_dim))
    movie_features = np.hstack([content, nuisance]) @ rule.movie_mix.T
    movie_features += noise * rng.normal(size=movie_features.shape)

    starts = np.concatenate([[0.0], np.cumsum(durations)[:-1]])
    candidates = np.flatnonzero((starts < spoiler_guard * durations.sum()) & (durations >= 1.0))
    j = int(min(rng.integers(trailer_shots[0], trailer_shots[1] + 1), len(candidates)))
    if paired:
        chosen = _paired_choice(candidates, scenes, worth, j)
        j = len(chosen)
    else:
        chosen = np.sort(candidates[np.argsort(-worth[candidates], kind="stable")[:j]])

    if twins > 0:
        movie_features = _plant_twins(movie_features, chosen, twins, noise, rng)

    music_nuisance = rng.normal(size=(j, rule.nuisance_dim))
    base = scene_means[scenes[chosen]]
    heard = base + shot_detail * (content[chosen] - base)
    heard = heard + music_noise * rng.normal(size=(j, rule.content_dim))
    music_features = np.hstack([heard, music_nuisance]) @ rule.music_mix.T
    music_features += noise * rng.normal(size=music_features.shape)
    beats = rng.integers(2, 7, size=j) * 0.5  # 1.0 .. 3.0 s, on a 120 BPM grid
    music_durations = np.minimum(beats, durations[chosen])
    return PairExample(
        pair_id=f"{movie_id}/trailer", movie_id=movie_id,
        movie_features=movie_features.astype(np.float32),
        movie_durations_s=durations.astype(np.float32), movie_scenes=scenes.astype(np.int64),
        music_features=music_features.astype(np.float32),
        music_durations_s=music_durations.astype(np.float32), match=chosen.astype(np.int64),
        match_confidence=np.ones(j, np.float32), meta={"planted": True})


def _plant_twins(features, chosen, share, noise, rng) -> np.ndarray:
    """Give a ``share`` of trailer shots a near-duplicate just beyond a neighbouring trailer shot.

    The copy of chosen shot ``c_j`` replaces the shot right after ``c_{j+1}`` or right before
    ``c_{j-1}``: it looks and sounds the same, but taking it would break story order with the
    neighbouring slot, so only the shots the neighbouring slots hold tell the two apart.
    """
    out = features.copy()
    taken = set(int(i) for i in chosen)
    for k in range(len(chosen)):
        if rng.random() >= share:
            continue
        sides = [chosen[k + 1] + 1] if k + 1 < len(chosen) else []
        sides += [chosen[k - 1] - 1] if k > 0 else []
        sides = [int(d) for d in sides if 0 <= d < len(out) and int(d) not in taken]
        if not sides:
            continue
        d = sides[int(rng.integers(len(sides)))]
        out[d] = features[chosen[k]] + noise * rng.normal(size=features.shape[1])
        taken.add(d)
    return out


def _paired_choice(candidates, scenes, worth, j) -> np.ndarray:
    """The two most worthy candidates of each of the ``j // 2`` best scenes, in story order."""
    by_scene = {}
    for i in candidates:
        by_scene.setdefault(int(scenes[i]), []).append(int(i))
    pairs = []
    for members in by_scene.values():
        if len(members) >= 2:
            top = sorted(members, key=lambda i: -worth[i])[:2]
            pairs.append((worth[top[0]] + worth[top[1]], top))
    pairs.sort(key=lambda p: -p[0])
    chosen = [i for _, top in pairs[:max(1, j // 2)] for i in top]
    return np.sort(np.asarray(chosen, np.int64))


def make_planted(n_movies: int, *, seed: int = 0, rule_seed: int = 0, **movie_options
                 ) -> List[PairExample]:
    """``n_movies`` planted movies (one trailer each) under the rule drawn from ``rule_seed``.

    Different ``seed`` values give disjoint-looking movies under the same rule, so a model
    trained on one seed can be measured on another.
    """
    rule = make_rule(rule_seed)
    rng = np.random.default_rng([seed, 4242])
    return [make_movie(rule, rng, f"planted-{seed}-{k:04d}", **movie_options)
            for k in range(n_movies)]

"""The schema of a learned generator's configuration: every key's type, default and bounds.

Each model module (``ipot_model``, ``ssmp_model``) declares its tunable keys as a ``SCHEMA`` of
:class:`Param`; the keys every model has (feature sizes and standardisation, written by
training) are :data:`FEATURE_KEYS` here. The same schema checks ``--model-option`` values before
training (:func:`validate_options`, :class:`~..errors.ParameterError`) and a checkpoint's stored
``config`` before any model is built (:func:`validate_config`), so a damaged or hostile file
cannot make Trailersmith allocate gigabytes or fail inside torch.

Bounds are what the code can run, not what trains well: ``hidden`` up to 1024 and ``layers`` up
to 12 keep the largest model near 150 M float32 weights (SSMP: about 12 hidden^2 per layer,
0.6 GB; training adds twice that for AdamW), where ``hidden=60000`` used to ask for 14 GB.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional

MAX_FEATURE_DIM = 65536


@dataclass(frozen=True)
class Param:
    """One configuration key: ``kind`` is ``int``, ``float`` or ``bool``; bounds inclusive."""

    kind: type
    default: Any
    lo: Optional[float] = None
    hi: Optional[float] = None
    help: str = ""

    def coerce(self, name: str, value: Any) -> Any:
        """``value`` as this key's type (strings are parsed); raises ValueError with the rule."""
        if isinstance(value, str):
            value = _parse(self.kind, value.strip())
        if self.kind is bool:
            if not isinstance(value, bool):
                raise ValueError(f"{name} must be true or false (got {value!r})")
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{name} must be a number (got {value!r})")
        if self.kind is int:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(f"{name} must be a whole number (got {value!r})")
            value = int(value)
        else:
            value = float(value)
            if not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number (got {value!r})")
        if self.lo is not None and value < self.lo or self.hi is not None and value > self.hi:
            raise ValueError(f"{name} must be between {_fmt(self.lo)} and {_fmt(self.hi)} "
                             f"(got {value!r})")
        return value


def _fmt(x: Optional[float]) -> str:
    return "-inf" if x is None else f"{x:g}"


def _parse(kind: type, text: str) -> Any:
    if kind is bool:
        low = text.lower()
        if low in ("true", "yes", "1", "on"):
            return True
        if low in ("false", "no", "0", "off"):
            return False
        return text
    try:
        return int(text) if kind is int else float(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def defaults(schema: Mapping[str, Param]) -> Dict[str, Any]:
    """The default value of every key of ``schema``."""
    return {name: p.default for name, p in schema.items()}


def _check_pairs(cfg: Mapping[str, Any]) -> None:
    if "hidden" in cfg and "heads" in cfg and int(cfg["hidden"]) % int(cfg["heads"]):
        raise ValueError(f"hidden ({cfg['hidden']}) must be a multiple of heads ({cfg['heads']})")
    if "t_min" in cfg and "t_max" in cfg and float(cfg["t_min"]) > float(cfg["t_max"]):
        raise ValueError(f"t_min ({cfg['t_min']}) must not exceed t_max ({cfg['t_max']})")


#: Keys training adds to every configuration (the standardisation lists are checked apart).
FEATURE_KEYS = {
    "movie_dim": Param(int, None, 1, MAX_FEATURE_DIM, "size of a shot's feature vector"),
    "music_dim": Param(int, None, 1, MAX_FEATURE_DIM, "size of a music segment's features"),
}

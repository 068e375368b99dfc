"""A learned generator's configuration checked against its model's schema, by kind.

The schema primitives are in :mod:`.config_schema` (the model modules import them); this module
sits above both and picks the model module for a kind, so nothing imports back.
"""
from __future__ import annotations

import math
from typing import Any, Dict, Mapping, Optional

from ..errors import ModelUnavailableError, ParameterError
from .config_schema import FEATURE_KEYS, Param, _check_pairs, defaults


def model_module(kind: str):
    """The module (``ipot_model`` or ``ssmp_model``) that builds and runs ``kind``."""
    if kind == "ipot":
        from . import ipot_model as mod
    elif kind == "ssmp":
        from . import ssmp_model as mod
    else:
        raise ModelUnavailableError(f"No learned generator called {kind!r}; use ipot or ssmp.")
    return mod


def _schema(kind: str) -> Mapping[str, Param]:
    return model_module(kind).SCHEMA


def validate_options(kind: str, options: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """The defaults of ``kind`` updated with ``options`` (strings are parsed), checked.

    Raises :class:`ParameterError` naming the option and its allowed range for an unknown key,
    a value of the wrong type, a value out of bounds or an inconsistent pair (``hidden`` not a
    multiple of ``heads``).
    """
    schema = _schema(kind)
    unknown = sorted(set(options or {}) - set(schema))
    if unknown:
        raise ParameterError(f"Unknown {kind} model option(s): {', '.join(unknown)}; "
                             f"known: {', '.join(sorted(schema))}.")
    cfg = defaults(schema)
    try:
        for name, value in (options or {}).items():
            cfg[name] = schema[name].coerce(name, value)
        _check_pairs(cfg)
    except ValueError as exc:
        raise ParameterError(f"--model-option {exc}.") from None
    return cfg


def validate_config(kind: str, config: Any) -> Dict[str, Any]:
    """Check a stored configuration (from a checkpoint) completely; returns it coerced.

    Every key of the schema and of :data:`FEATURE_KEYS` must be there with a value in bounds,
    and the standardisation lists must match the feature sizes. Raises ``ValueError`` saying
    what is wrong (the caller names the file).
    """
    if not isinstance(config, dict):
        raise ValueError("its config is not a mapping")
    schema = _schema(kind)
    missing = sorted((set(schema) | set(FEATURE_KEYS)) - set(config))
    if missing:
        raise ValueError(f"its config lacks {', '.join(missing)}")
    out = dict(config)
    for name, param in {**schema, **FEATURE_KEYS}.items():
        if isinstance(config[name], str) and param.kind is not str:
            raise ValueError(f"{name} must be a number (got {config[name]!r})")
        out[name] = param.coerce(name, config[name])
    _check_pairs(out)
    for side in ("movie", "music"):
        dim = out[f"{side}_dim"]
        for stat in ("mean", "std"):
            values = config.get(f"{side}_{stat}")
            if not isinstance(values, (list, tuple)) or len(values) != dim or not all(
                    isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                    for v in values):
                raise ValueError(f"{side}_{stat} must be {dim} finite numbers")
        if any(v <= 0 for v in config[f"{side}_std"]):
            raise ValueError(f"{side}_std must be positive")
    return out

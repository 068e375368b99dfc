"""The feature-backend registry: a static table of name -> module, imported when first used."""
from __future__ import annotations

import importlib
import inspect
from typing import Dict, List, Optional, Tuple

from ..errors import ModelUnavailableError, ParameterError
from .interface import FeatureBackend

#: name -> module in this package; each exposes ``create_backend(**options)``, ``OPTIONS`` (the
#: keyword options it accepts) and, when it may be unusable here, ``unavailable_reason(...)``.
#: The first one is the default.
BACKENDS = {
    "affect": "affect",
    "imagebind": "imagebind",
}


def backend_module(name: str):
    """The module of backend ``name``; ParameterError naming the choices for another name."""
    if name not in BACKENDS:
        raise ParameterError(f"Unknown feature backend {name!r}; choose one of "
                             f"{', '.join(BACKENDS)}.")
    return importlib.import_module(f"{__package__}.{BACKENDS[name]}")


def backend_options(name: str) -> Tuple[str, ...]:
    """The keyword options backend ``name`` accepts (e.g. ``("weights", "prompts", ...)``)."""
    return tuple(backend_module(name).OPTIONS)


def _reason(module, options: Dict) -> Optional[str]:
    check = getattr(module, "unavailable_reason", None)
    if check is None:
        return None
    # A reason function may take some of the options (e.g. ``weights``): a path given on the
    # command line makes a backend available that the settings alone would not.
    accepted = inspect.signature(check).parameters
    return check(**{k: v for k, v in options.items() if k in accepted})


def available_backends() -> Dict[str, Optional[str]]:
    """Map every known backend name to None (usable) or the reason it is not usable here."""
    return {name: _reason(backend_module(name), {}) for name in BACKENDS}


def get_backend(name: str, **options) -> FeatureBackend:
    """Instantiate backend ``name``; raises ParameterError / ModelUnavailableError with a fix."""
    module = backend_module(name)
    why = _reason(module, options)
    if why:
        raise ModelUnavailableError(f"Backend {name!r} is not available: {why}")
    return module.create_backend(**options)


def backend_names() -> List[str]:
    """All backend names, usable or not, in table order."""
    return list(BACKENDS)

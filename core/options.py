"""The one spec of every option an editor or script can set, :class:`SuggestOptions`, validate().

Each :class:`Option` says its name, type, default, range or choices (choices are read from the
registries when asked for), help text, which commands offer it and, for an option that belongs
to one generator or backend, which ones. The CLI builds its arguments and the panel its widgets
from :data:`SPEC`; :func:`validate` checks ranges and combinations for every caller, so a library
caller gets the same :class:`ParameterError` as a command-line user.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field, fields
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

from .errors import ParameterError


def _generators() -> Sequence[str]:
    from .generators import generator_names
    return generator_names()


def _backends() -> Sequence[str]:
    from .features import backend_names
    return backend_names()


def _detectors() -> Sequence[str]:
    from .shots.detect import detector_choices
    return detector_choices()


def _segmentations() -> Sequence[str]:
    from .music import SEGMENTATIONS
    return SEGMENTATIONS


def _decodings() -> Sequence[str]:
    from .generators.ssmp import DECODINGS
    return DECODINGS


@dataclass(frozen=True)
class Option:
    """One user option. ``minimum``/``maximum`` bound numbers (``open_minimum``: strictly above).

    ``generators``/``backends`` (empty: any) name where an owned option applies; it then travels
    in ``SuggestOptions.generator_options`` / ``backend_options`` under ``key`` (default
    ``name``). ``default`` None means "not set" (the owner's own behaviour applies).
    """

    name: str
    type: type
    default: Any
    help: str
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    open_minimum: bool = False
    open_maximum: bool = False
    choices: Optional[Callable[[], Sequence[str]]] = None
    commands: Tuple[str, ...] = ("suggest",)
    generators: Tuple[str, ...] = ()
    backends: Tuple[str, ...] = ()
    key: str = ""
    metavar: str = ""
    multiple: bool = False
    path: bool = False

    @property
    def flag(self) -> str:
        """The command-line flag, e.g. ``--spoiler-guard``."""
        return "--" + self.name.replace("_", "-")

    @property
    def target_key(self) -> str:
        """The key in ``generator_options`` / ``backend_options`` of an owned option."""
        return self.key or self.name

    def choice_list(self) -> Optional[Tuple[str, ...]]:
        """The allowed values, read from the registry now; None when any value of the type goes."""
        return tuple(self.choices()) if self.choices else None

    def range_text(self) -> str:
        """``between 0.05 and 1.0``, ``>= 0``, ``> 0`` or ``one of a, b``; empty when free."""
        if self.choices:
            return "one of " + ", ".join(self.choice_list())
        low = None if self.minimum is None else _fmt(self.minimum)
        high = None if self.maximum is None else _fmt(self.maximum)
        if low is not None and high is not None and not (self.open_minimum or self.open_maximum):
            return f"between {low} and {high}"
        parts = []
        if low is not None:
            parts.append(f"{'>' if self.open_minimum else '>='} {low}")
        if high is not None:
            parts.append(f"{'<' if self.open_maximum else '<='} {high}")
        return " and ".join(parts)

    def check(self, value: Any) -> Any:
        """``value`` if it fits this option (None fits an unset one); else ParameterError."""
        if value is None and self.default is None:
            return value
        if self.multiple:
            if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
                raise ParameterError(f"{self.flag} takes a list of {self.metavar or 'values'} "
                                     f"(got {value!r}).")
            return value
        if self.type in (int, float):
            ok_type = (numbers.Integral if self.type is int else numbers.Real)
            if (not isinstance(value, ok_type) or isinstance(value, bool)
                    or not math.isfinite(float(value))):
                raise ParameterError(f"{self.flag} must be a {_TYPE_WORDS[self.type]} "
                                     f"{self.range_text()} (got {value!r}).")
            low_bad = self.minimum is not None and (
                value <= self.minimum if self.open_minimum else value < self.minimum)
            high_bad = self.maximum is not None and (
                value >= self.maximum if self.open_maximum else value > self.maximum)
            if low_bad or high_bad:
                raise ParameterError(f"{self.flag} must be {self.range_text()} (got {value!r})"
                                     f"{self._default_hint()}.")
            return value
        if not isinstance(value, str):
            raise ParameterError(f"{self.flag} must be text (got {value!r}).")
        allowed = self.choice_list()
        if allowed is not None and value not in allowed:
            raise ParameterError(f"Unknown {self.flag} {value!r}; choose one of "
                                 f"{', '.join(allowed)}.")
        return value

    def _default_hint(self) -> str:
        return "" if self.default is None else f"; the default is {_fmt(self.default)}"


_TYPE_WORDS = {int: "whole number", float: "number"}


def _fmt(x) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


_MOVIE = ("suggest", "shots", "dataset build")
_MUSIC = ("suggest", "music")
_TRAIN = ("train",)
_SUGGEST = ("suggest",)
#: ``--source-audio`` choices, the default first.
SOURCE_AUDIO = ("off", "on")
#: ``--beat-markers`` choices (the timeline writer's names).
BEAT_MARKERS = ("none", "downbeats", "beats")

#: Every option, once. The panel offers a subset (see plugin/options.py); the CLI offers each
#: option on the commands it names.
SPEC: Tuple[Option, ...] = (
    Option("generator", str, "ot", "how shots are chosen", choices=_generators,
           commands=("suggest", "eval")),
    Option("backend", str, "affect", "feature backend: affect needs no weights",
           choices=_backends, commands=("suggest", "dataset build")),
    Option("spoiler_guard", float, 0.9, "use only the first F of the movie (1 = all of it)",
           minimum=0.05, maximum=1.0, metavar="F", commands=("suggest", "eval")),
    Option("seed", int, 0, "another seed gives another variant", minimum=0,
           maximum=2 ** 31 - 1, commands=("suggest", "eval", "train")),
    Option("pace", float, 1.0, "cut rate: 2 = twice as many cuts, 0.5 = half as many",
           minimum=0.25, maximum=4.0, commands=_MUSIC),
    Option("length", float, None, "edit the music to about this many seconds first "
           "(default: the whole track)", minimum=0.0, open_minimum=True, metavar="SECONDS",
           commands=_MUSIC),
    Option("segmentation", str, "beats", "beats: cuts on beats; ipot: IPOT's 2 s segments "
           "(not on beats), for comparison", choices=_segmentations, commands=_MUSIC),
    Option("detector", str, "auto", "shot detector: auto is TransNetV2 when installed, else "
           "histogram", choices=_detectors, commands=_MOVIE),
    Option("checkpoint", str, None, "trained checkpoint (needed by ipot and ssmp)",
           generators=("ipot", "ssmp"), metavar="PATH", path=True,
           commands=("suggest", "eval")),
    Option("decoding", str, None, "ssmp decoding: greedy (the default, deterministic) or the "
           "paper's self-corrective Algorithm 1", choices=_decodings, generators=("ssmp",)),
    Option("imagebind_weights", str, None, "imagebind_huge.pth for the imagebind backend",
           backends=("imagebind",), key="weights", metavar="PATH", path=True,
           commands=("suggest", "dataset build")),
    Option("prompt", str, (), "pull the selection toward shots matching TEXT (imagebind; "
           "repeatable)", backends=("imagebind",), key="prompts", metavar="TEXT[:WEIGHT]",
           multiple=True),
    Option("epochs", int, 150, "passes over the training pairs", minimum=1, maximum=100_000,
           commands=_TRAIN),
    Option("batch_size", int, 8, "pairs per optimiser step", minimum=1, maximum=4096,
           commands=_TRAIN),
    Option("lr", float, 2e-3, "peak learning rate", minimum=0.0, open_minimum=True,
           maximum=1.0, commands=_TRAIN),
    Option("val_fraction", float, 0.15, "share of movies held out for validation",
           minimum=0.0, open_minimum=True, maximum=1.0, open_maximum=True, commands=_TRAIN),
    Option("patience", int, 12, "stop after this many epochs without a better validation "
           "loss", minimum=1, maximum=100_000, commands=_TRAIN),
    Option("threads", int, 1, "CPU threads for torch", minimum=1, maximum=1024,
           commands=_TRAIN),
    Option("device", str, "auto", "where to train: auto is cuda when torch sees a GPU",
           choices=lambda: ("auto", "cpu", "cuda"), commands=_TRAIN),
    Option("source_audio", str, "off", "the movie's own sound under each shot on Audio 2: off "
           "(there, muted) or on", choices=lambda: SOURCE_AUDIO, commands=_SUGGEST),
    Option("beat_markers", str, "downbeats", "markers on the music clip to snap edits to",
           choices=lambda: BEAT_MARKERS, commands=_SUGGEST),
    Option("title_card", float, 0.0, "keep the trailer's end, from the music's last big hit "
           "about SECONDS before its end, for a title: a TITLE placeholder on Video 2 "
           "(0 = none)", minimum=0.0, maximum=60.0, metavar="SECONDS", commands=_SUGGEST),
    Option("cache_dir", str, None, "analysis cache folder (default: the user cache folder, or "
           "$TRAILERSMITH_CACHE)", metavar="DIR", path=True, commands=_MOVIE + ("music",)),
)

OPTIONS: Dict[str, Option] = {o.name: o for o in SPEC}


def option(name: str) -> Option:
    """The spec entry ``name`` (KeyError for a name that is not an option)."""
    return OPTIONS[name]


def default(name: str) -> Any:
    """The default of option ``name``: the one place defaults are written."""
    return OPTIONS[name].default


def check_option(name: str, value: Any) -> Any:
    """``value`` checked against option ``name``'s type and range; ParameterError otherwise."""
    return OPTIONS[name].check(value)


def options_for(command: str) -> Tuple[Option, ...]:
    """The options a command offers, in spec order."""
    return tuple(o for o in SPEC if command in o.commands)


def _top_level(name: str) -> bool:
    o = OPTIONS[name]
    return not (o.generators or o.backends)


@dataclass
class SuggestOptions:
    """What an editor can choose (defaults from :data:`SPEC`). ``pace`` > 1 cuts faster.

    Options owned by one generator or backend travel in ``generator_options`` /
    ``backend_options`` (e.g. ``{"checkpoint": PATH}``, ``{"weights": PATH}``).
    """

    generator: str = default("generator")
    backend: str = default("backend")
    spoiler_guard: float = default("spoiler_guard")
    seed: int = default("seed")
    pace: float = default("pace")
    length: Optional[float] = default("length")
    segmentation: str = default("segmentation")
    detector: str = default("detector")
    backend_options: Dict = field(default_factory=dict)
    generator_options: Dict = field(default_factory=dict)
    source_audio: str = default("source_audio")
    beat_markers: str = default("beat_markers")
    title_card: float = default("title_card")
    cache_dir: Optional[str] = default("cache_dir")


def _owned(kind: str, name: str) -> Dict[str, Option]:
    """Spec options owned by generator/backend ``name``, by their key."""
    return {o.target_key: o for o in SPEC
            if name in (o.generators if kind == "generator" else o.backends)}


def _foreign(kind: str, key: str) -> Optional[Option]:
    for o in SPEC:
        if o.target_key == key and (o.generators if kind == "generator" else o.backends):
            return o
    return None


def _check_owned(kind: str, name: str, given: Dict, accepted: Tuple[str, ...]) -> None:
    owned = _owned(kind, name)
    for key, value in given.items():
        if key not in accepted:
            other = _foreign(kind, key)
            where = () if other is None else (
                other.generators if kind == "generator" else other.backends)
            flag = other.flag if other else repr(key)
            if where:
                raise ParameterError(f"{flag} applies to --{kind} {' or '.join(where)} only "
                                     f"(not {name}).")
            raise ParameterError(f"The {name} {kind} has no option {key!r}; it takes "
                                 f"{', '.join(accepted) or 'none'}.")
        if key in owned:
            owned[key].check(value)


def validate(options: SuggestOptions) -> SuggestOptions:
    """Check every range and combination of ``options``; ParameterError names the option.

    Combinations: generator and backend options must belong to the chosen generator/backend
    (``decoding`` only with ssmp, ``weights``/``prompts`` only with imagebind), and ipot/ssmp
    need a checkpoint. Nothing is read from disk here (see :mod:`.preflight` for that).
    """
    if not isinstance(options, SuggestOptions):
        raise ParameterError(f"options must be SuggestOptions (got {type(options).__name__}).")
    for f in fields(SuggestOptions):
        if f.name in OPTIONS and _top_level(f.name):
            OPTIONS[f.name].check(getattr(options, f.name))
    for kind, given in (("generator", options.generator_options),
                        ("backend", options.backend_options)):
        if not isinstance(given, dict):
            raise ParameterError(f"{kind}_options must be a dict (got {given!r}).")
    from .features import backend_options
    from .generators import generator_options

    _check_owned("generator", options.generator, options.generator_options,
                 generator_options(options.generator))
    _check_owned("backend", options.backend, options.backend_options,
                 backend_options(options.backend))
    needs = OPTIONS["checkpoint"]
    if options.generator in needs.generators and not options.generator_options.get("checkpoint"):
        raise ParameterError(f"--generator {options.generator} needs {needs.flag} PATH (train "
                             f"one with 'trailersmith train --generator {options.generator}').")
    return options

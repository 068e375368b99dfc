"""The option spec is the one source: the CLI parser and the panel's widgets offer what it says,
validate() guards library callers, and the registries agree with the spec."""
import inspect

import pytest

from trailersmith.cli import build_parser, main
from trailersmith.core.errors import ParameterError
from trailersmith.core.options import OPTIONS, SPEC, SuggestOptions, option, validate


def _actions(command):
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    return {a.dest: a for a in sub._actions}, sub


def _accepts(sub, flag, value, required=("m", "a", "-o", "t.otio")):
    """Whether the suggest parser accepts ``flag value`` (parse only, no work)."""
    try:
        sub.parse_args([required[0], required[1], required[2], required[3], flag, str(value)])
    except Exception:  # noqa: BLE001 - UsageError or ParameterError both mean "refused"
        return False
    return True


def test_cli_and_panel_offer_the_same_options_defaults_and_ranges(qtbot):
    pytest.importorskip("PySide6")
    from trailersmith.plugin.options import OptionsBox, registry_choices
    from trailersmith.plugin.settings import default_settings

    box = OptionsBox(default_settings(), registry_choices("backend"),
                     registry_choices("generator"))
    qtbot.addWidget(box)
    actions, sub = _actions("suggest")
    values = box.values()
    offered = box.offered()
    assert set(offered) == set(values)
    for name, what in offered.items():
        spec = option(name)
        action = actions[name]  # every panel option is a CLI option
        assert action.default == spec.default, name
        assert values[name] == pytest.approx(spec.default) if spec.default is not None \
            else values[name] is None, name
        if "minimum" in what:
            assert (what["minimum"], what["maximum"]) == pytest.approx(
                (spec.minimum, spec.maximum)), name
            step = 1 if spec.type is int else 0.01
            assert _accepts(sub, action.option_strings[0], what["minimum"])
            assert _accepts(sub, action.option_strings[0], what["maximum"])
            assert not _accepts(sub, action.option_strings[0], what["minimum"] - step)
            assert not _accepts(sub, action.option_strings[0], what["maximum"] + step)
        else:
            choices = [c for c in what["choices"] if c is not None]
            if action.choices is not None:
                assert set(choices) == set(action.choices), name
            for c in choices:
                assert _accepts(sub, action.option_strings[0], c), (name, c)
            assert (spec.default in what["choices"]), name


@pytest.mark.parametrize("command", ["suggest", "shots", "music", "eval", "dataset build",
                                     "train"])
def test_every_spec_option_of_a_command_is_on_its_parser_with_the_spec_default(command):
    parts = command.split()
    actions, sub = _actions(parts[0])
    if len(parts) > 1:
        nested = next(a for a in sub._actions if a.dest == "dataset_command").choices[parts[1]]
        actions = {a.dest: a for a in nested._actions}
    for o in SPEC:
        if command not in o.commands:  # e.g. train --generator: only the trainable generators
            if o.name in actions and o.choices:
                assert set(actions[o.name].choices) <= set(o.choice_list()), (command, o.name)
            continue
        a = actions[o.name]
        owned = bool(o.generators or o.backends)
        expected = ([] if o.multiple else None) if owned else o.default
        assert a.default == expected, (command, o.name)
        if o.choices and not o.multiple:
            assert tuple(a.choices) == o.choice_list()


@pytest.mark.parametrize("argv", [
    ["suggest", "m.mp4", "a.wav", "-o", "t.otio", "--seed", "-1"],
    ["suggest", "m.mp4", "a.wav", "-o", "t.otio", "--pace", "8"],
    ["music", "a.wav", "--pace", "8"],
    ["music", "a.wav", "--length", "0"],
    ["suggest", "m.mp4", "a.wav", "-o", "t.otio", "--spoiler-guard", "0"],
    ["eval", "d", "--spoiler-guard", "0.01"],
    ["train", "d", "--generator", "ipot", "-o", "c.pt", "--seed", "-3"],
    ["train", "d", "--generator", "ipot", "-o", "c.pt", "--val-fraction", "1"],
    ["train", "d", "--generator", "ssmp", "-o", "c.pt", "--epochs", "0"],
    ["train", "d", "--generator", "ssmp", "-o", "c.pt", "--device", "tpu"],
    ["shots", "m.mp4", "--detector", "nope"],
    ["suggest", "m.mp4", "a.wav", "-o", "t.otio", "--title-card", "-1"],
    ["suggest", "m.mp4", "a.wav", "-o", "t.otio", "--title-card", "61"],
    ["recut", "e.otio", "a.wav", "-o", "t.otio", "--title-card", "nan"],
])
def test_out_of_range_is_exit_2_with_one_line_before_any_work(argv, capsys, tmp_path,
                                                              monkeypatch):
    monkeypatch.chdir(tmp_path)  # none of the files exist: a range check must come first
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "not found" not in err and "does not exist" not in err, err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("options, flag", [
    (SuggestOptions(generator="ot", generator_options={"decoding": "greedy"}), "--decoding"),
    (SuggestOptions(generator="knapsack", generator_options={"checkpoint": "x.pt"}),
     "--checkpoint"),
    (SuggestOptions(backend="affect", backend_options={"weights": "w.pth"}),
     "--imagebind-weights"),
    (SuggestOptions(backend="affect", backend_options={"prompts": ["fire"]}), "--prompt"),
    (SuggestOptions(generator="ssmp"), "--checkpoint"),
    (SuggestOptions(generator="ssmp", generator_options={"checkpoint": "c", "decoding": "x"}),
     "--decoding"),
    (SuggestOptions(seed=-1), "--seed"),
    (SuggestOptions(seed=1.5), "--seed"),
    (SuggestOptions(spoiler_guard=float("nan")), "--spoiler-guard"),
    (SuggestOptions(pace=8.0), "--pace"),
    (SuggestOptions(length=-5.0), "--length"),
    (SuggestOptions(detector="nope"), "--detector"),
    (SuggestOptions(title_card=-2.0), "--title-card"),
    (SuggestOptions(segmentation="nope"), "--segmentation"),
    (SuggestOptions(generator="nope"), "generator"),
])
def test_library_callers_get_a_parameter_error_naming_the_option(options, flag, tmp_path):
    from trailersmith.core.pipeline import suggest

    with pytest.raises(ParameterError, match=flag):
        validate(options)
    with pytest.raises(ParameterError, match=flag):  # before any file is looked at
        suggest(str(tmp_path / "missing.mp4"), str(tmp_path / "missing.wav"), options)


def test_valid_combinations_pass():
    validate(SuggestOptions())
    validate(SuggestOptions(generator="ssmp", generator_options={"checkpoint": "c.pt",
                                                                 "decoding": "self-corrective"}))
    validate(SuggestOptions(backend="imagebind", backend_options={"weights": "w", "prompts": []}))
    validate(SuggestOptions(length=30.0, seed=2 ** 31 - 1, spoiler_guard=1.0))


def test_train_options_defaults_are_the_specs_and_library_callers_are_checked():
    from dataclasses import replace

    from trailersmith.core.learn.train import _SPEC_FIELDS, TrainOptions, train

    opts = TrainOptions()
    for name in _SPEC_FIELDS:
        assert getattr(opts, name) == option(name).default
    pytest.importorskip("torch")
    with pytest.raises(ParameterError, match="--batch-size"):
        train("ssmp", [], "c.pt", options=replace(opts, batch_size=0))


def test_every_default_satisfies_its_own_range():
    for o in SPEC:
        assert o.check(o.default) == o.default, o.name
    assert set(OPTIONS) == {o.name for o in SPEC}


# --- the registries: one shape, and what they declare is true --------------------------------

def _generator_names():
    from trailersmith.core.generators import GENERATORS
    return list(GENERATORS)


@pytest.mark.parametrize("name", _generator_names())
def test_generator_declares_the_options_its_callable_takes(name):
    from trailersmith.core.generators import available_generators, generator_module

    module = generator_module(name)
    if available_generators()[name] is not None:
        pytest.skip(available_generators()[name])
    params = inspect.signature(module.load()).parameters
    keyword = {n for n, p in params.items() if p.kind is p.KEYWORD_ONLY} - {"rng"}
    assert keyword == set(module.OPTIONS)
    for o in SPEC:  # every spec option owned by this generator is one it accepts
        if name in o.generators:
            assert o.target_key in module.OPTIONS


def _backend_names():
    from trailersmith.core.features import BACKENDS
    return list(BACKENDS)


@pytest.mark.parametrize("name", _backend_names())
def test_backend_declares_the_options_its_factory_takes(name):
    from trailersmith.core.features.base import backend_module

    module = backend_module(name)
    factory = module.create_backend
    target = factory.__init__ if inspect.isclass(factory) else factory
    if name == "imagebind":
        from trailersmith.core.features.imagebind.backend import ImageBindBackend
        target = ImageBindBackend.__init__
    params = set(inspect.signature(target).parameters) - {"self"}
    assert params == set(module.OPTIONS)
    for o in SPEC:
        if name in o.backends:
            assert o.target_key in module.OPTIONS


def _detector_names():
    from trailersmith.core.shots.detect import DETECTORS
    return list(DETECTORS)


@pytest.mark.parametrize("name", _detector_names())
def test_detector_module_has_the_interface(name):
    from trailersmith.core.shots.detect import detector_choices, detector_module

    module = detector_module(name)
    assert isinstance(module.VERSION, str) and module.VERSION
    assert module.unavailable_reason() is None or isinstance(module.unavailable_reason(), str)
    assert callable(module.make_detector)
    assert name in detector_choices() and name in option("detector").choice_list()


def test_registries_reject_unknown_names_with_the_choices():
    from trailersmith.core.features import get_backend
    from trailersmith.core.generators import get_generator
    from trailersmith.core.shots import resolve_detector

    for call, listed in ((lambda: get_generator("nope"), "knapsack"),
                         (lambda: get_backend("nope"), "affect"),
                         (lambda: resolve_detector("nope"), "histogram")):
        with pytest.raises(ParameterError, match=listed):
            call()


def test_no_registry_module_imports_back_into_its_registry():
    """Implementations never import the table they are listed in (no registration loops)."""
    import pathlib

    import trailersmith
    root = pathlib.Path(trailersmith.__file__).parent / "core"
    for folder, table in (("generators", "base"), ("features", "base"), ("shots", "detect")):
        for path in (root / folder).rglob("*.py"):
            depth = len(path.relative_to(root / folder).parts) - 1
            if depth == 0 and path.stem in (table, "__init__"):
                continue
            text = path.read_text()
            back = "." * (depth + 1) + table + " import"
            assert f"from {back}" not in text and "register_generator" not in text \
                and "register_backend" not in text, path

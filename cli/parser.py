"""The argument parser: global flags, and command options made from ``core/options.py``."""
from __future__ import annotations

import argparse
from typing import Iterable

from trailersmith import __version__
from trailersmith.core.errors import ParameterError
from trailersmith.core.options import Option, options_for


class UsageError(Exception):
    """A command line argparse refused; the message is one line."""


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows ``(default: X)`` only where there is a default worth showing."""

    def _get_help_string(self, action):
        d = action.default
        if d is None or d is False or d is argparse.SUPPRESS or (isinstance(d, (list, tuple))
                                                                  and not d):
            return action.help
        return super()._get_help_string(action)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises :class:`UsageError` instead of printing usage and exiting."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def common_flags(default=argparse.SUPPRESS) -> argparse.ArgumentParser:
    """``--debug``, ``-v``, ``-q``: accepted before and after the sub-command."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--debug", action="store_true", default=default,
                   help="show tracebacks of unexpected errors")
    p.add_argument("-v", "--verbose", action="count", default=default,
                   help="show progress details on stderr (-vv: debugging detail)")
    p.add_argument("-q", "--quiet", action="store_true", default=default,
                   help="print nothing but errors")
    return p


def spec_type(option: Option):
    """An argparse ``type`` that converts and range-checks with the spec (exit 2 when not)."""
    def convert(text: str):
        try:
            value = option.type(text)
        except ValueError:
            raise ParameterError(f"{option.flag} must be a {option.type.__name__} "
                                 f"{option.range_text()} (got {text!r}).") from None
        return option.check(value)

    convert.__name__ = option.type.__name__
    convert.option = option
    return convert


def add_spec_options(parser: argparse.ArgumentParser, command: str, *, skip: Iterable[str] = ()):
    """Add every spec option that ``command`` offers (names, defaults, ranges from the spec)."""
    skip = set(skip)
    for o in options_for(command):
        if o.name in skip:
            continue
        kwargs = {"dest": o.name, "help": o.help}
        if o.metavar:
            kwargs["metavar"] = o.metavar
        if o.multiple:
            kwargs.update(action="append", default=[], type=str)
        else:
            owned = bool(o.generators or o.backends)
            kwargs.update(type=spec_type(o), default=None if owned else o.default)
            if o.choices:
                kwargs["choices"] = o.choice_list()
                kwargs.setdefault("metavar", "{" + ",".join(o.choice_list()) + "}")
        parser.add_argument(o.flag, **kwargs)


def build_parser(modules) -> argparse.ArgumentParser:
    """The top-level parser with the sub-commands of ``modules`` (each has ``register``)."""
    parser = Parser(prog="trailersmith", parents=[common_flags(default=None)],
                    description="Suggest a movie trailer cut to music, as an editor timeline.")
    parser.set_defaults(debug=False, verbose=0, quiet=False)
    parser.add_argument("--version", action="version", version=f"trailersmith {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    common = common_flags()
    for module in modules:
        module.register(SubParsers(sub, common))
    return parser


class SubParsers:
    """Wraps argparse's sub-parsers so every sub-command takes the common flags."""

    def __init__(self, sub, common) -> None:
        self._sub = sub
        self._common = common

    def add_parser(self, name: str, **kwargs):
        kwargs.setdefault("parents", [self._common])
        kwargs.setdefault("formatter_class", HelpFormatter)
        return self._sub.add_parser(name, **kwargs)

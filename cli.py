"""The ``trailersmith`` command line.

Exit codes: 0 success, 2 bad input or usage (one line on stderr naming the problem and the fix),
1 unexpected error, 130 interrupted. Sub-command modules register themselves through a
``register(subparsers)`` function that adds parsers with ``set_defaults(func=handler)``; a handler
takes the parsed arguments and returns an exit code.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys
from typing import List, Optional

from trailersmith import __version__
from trailersmith.core.errors import Cancelled, TrailersmithError

# Modules that contribute sub-commands; a missing optional one is skipped.
COMMAND_MODULES = (
    "trailersmith.commands",
    "trailersmith.learn_cli",
    "trailersmith.plugin.install",
    "trailersmith.batch.cli",
)


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would print usage and exit itself
        raise _UsageError(f"{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every registered sub-command."""
    parser = _Parser(prog="trailersmith",
                     description="Suggest a movie trailer cut to music, as an editor timeline.")
    parser.add_argument("--version", action="version", version=f"trailersmith {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Run the CLI; returns the process exit code."""
    logging.basicConfig(level=logging.WARNING, format="trailersmith: %(levelname)s: %(message)s")
    parser = build_parser()
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help(sys.stderr)
            return 2
        return int(args.func(args) or 0)
    except _UsageError as exc:
        print(f"trailersmith: error: {exc}", file=sys.stderr)
        return 2
    except (Cancelled, KeyboardInterrupt):
        print("trailersmith: interrupted; nothing was written.", file=sys.stderr)
        return 130
    except TrailersmithError as exc:
        print(f"trailersmith: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - the last line of defence for users
        if debug:
            raise
        print(f"trailersmith: unexpected error: {exc.__class__.__name__}: {exc}. "
              "Re-run with --debug and report the traceback.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())

"""The ``trailersmith`` command line (private: scripts use ``trailersmith.core``).

Exit codes: 0 success, 2 bad input or usage (exactly one line on stderr naming the problem and
the fix; warnings go to the log file), 1 unexpected error, 130 interrupted. Each sub-command
module has a ``register(subparsers, common)`` function that adds parsers with
``set_defaults(func=handler)``; a handler takes the parsed arguments and returns an exit code.
"""
from __future__ import annotations

import importlib
import logging
import sys
from typing import List, Optional

from trailersmith.core.errors import Cancelled, TrailersmithError

from .parser import UsageError
from .parser import build_parser as _build_parser

# Modules that contribute sub-commands; a missing optional one is skipped.
COMMAND_MODULES = (
    "trailersmith.cli.commands",
    "trailersmith.cli.learn",
    "trailersmith.cli.recut",
    "trailersmith.adapters.resolve.install",
    "trailersmith.batch.cli",
)


def build_parser():
    """The full argument parser with every sub-command."""
    return _build_parser(_command_modules())


def _command_modules():
    modules = []
    for name in COMMAND_MODULES:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue
            raise
    return modules


def _levels(args):
    verbose, quiet = getattr(args, "verbose", 0) or 0, getattr(args, "quiet", False)
    if quiet:
        return logging.CRITICAL + 1, logging.WARNING
    if verbose:
        level = logging.INFO if verbose == 1 else logging.DEBUG
        return level, level
    return logging.ERROR, logging.WARNING


class _Terminated(KeyboardInterrupt):
    """SIGTERM (a closed terminal, a killed job): stop as after Ctrl+C, with one line."""


def _on_sigterm(signum, frame) -> None:
    raise _Terminated()


def main(argv: Optional[List[str]] = None) -> int:
    """Run the CLI; returns the process exit code."""
    import signal
    import threading

    from trailersmith.core.userdirs import setup_logging

    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    logs = setup_logging()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        stderr_level, file_level = _levels(args)
        logs = setup_logging(stderr_level=stderr_level, file_level=file_level)
        if not getattr(args, "func", None):
            parser.print_help(sys.stderr)
            return 2
        code = int(args.func(args) or 0)
        if logs.warnings and stderr_level > logging.WARNING and not args.quiet and logs.path:
            print(f"trailersmith: {logs.warnings} warning(s) written to {logs.path}",
                  file=sys.stderr)
        return code
    except UsageError as exc:
        print(f"trailersmith: error: {exc}", file=sys.stderr)
        return 2
    except (Cancelled, KeyboardInterrupt) as exc:
        kept = getattr(exc, "kept", None)  # set where finished work was kept on purpose
        print(f"trailersmith: interrupted; {kept or 'nothing was written'}.", file=sys.stderr)
        return 143 if isinstance(exc, _Terminated) else 130
    except BrokenPipeError:  # e.g. `trailersmith shots MOVIE | head`: the reader has enough
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except TrailersmithError as exc:
        print(f"trailersmith: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - the last line of defence for users
        if debug:
            raise
        logging.getLogger("trailersmith").debug("unexpected error", exc_info=True)
        where = f" ({logs.path})" if logs.path else ""
        print(f"trailersmith: unexpected error: {exc.__class__.__name__}: {_one_line(exc)}. "
              f"Re-run with --debug and report the traceback{where}.", file=sys.stderr)
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


if __name__ == "__main__":
    raise SystemExit(main())

"""Trailersmith for DaVinci Resolve: Workspace > Scripts > Trailersmith.

Written by `trailersmith install-resolve`; `trailersmith install-resolve --uninstall` removes it.
It finds the Python packages of the environment Trailersmith was installed into, takes the Resolve
handle Resolve gives this script, and opens the Trailersmith panel with it.
(trailersmith-entry-script: this line marks the file as Trailersmith's own.)
"""
import site
import sys

# Filled in by `trailersmith install-resolve`.
TRAILERSMITH_SITE_DIRS = []
TRAILERSMITH_PYTHON = ""


def _resolve_handle():
    """The handle Resolve injects (`resolve`, or `bmd.scriptapp`); None makes Trailersmith try
    Studio's external scripting module."""
    injected = globals().get("resolve")
    if injected is not None:
        return injected
    bmd = globals().get("bmd")
    if bmd is not None:
        return bmd.scriptapp("Resolve")
    return None


def _start():
    running = "%d.%d" % sys.version_info[:2]
    if TRAILERSMITH_PYTHON and running != TRAILERSMITH_PYTHON:
        print("Trailersmith: Resolve runs Python %s but Trailersmith was installed for Python %s. "
              "Install Trailersmith with Python %s (the one Resolve uses) and run "
              "'trailersmith install-resolve' again." % (running, TRAILERSMITH_PYTHON, running))
        return None
    for folder in TRAILERSMITH_SITE_DIRS:
        site.addsitedir(folder)
    try:
        from trailersmith.plugin.app import launch_in_resolve
    except ImportError as exc:
        print("Trailersmith cannot be imported from Resolve (%s). Run "
              "'pip install trailersmith[qt]' and 'trailersmith install-resolve' again." % exc)
        return None
    return launch_in_resolve(_resolve_handle())


_start()

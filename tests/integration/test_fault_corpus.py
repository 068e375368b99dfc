"""Issue 10's fault corpus: every bad input or fault keeps the whole contract.

Each case (``tests/support/fault_cases.py``) makes its fault in a fresh workspace from tiny
synthetic media shared by the session, runs ``python -m trailersmith`` in a subprocess with a
private ``TRAILERSMITH_CACHE``, and :func:`check_contract` asserts the exit code, one stderr
line, no (partial) output, a cache of complete entries only, and unchanged source files.
A case marked xfail waits for another room's fix named in its reason (strict: it fails once
the fix lands, and the mark must go).
"""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.support.fault_cases import MEDIA, OPTIONS, PATHS
from tests.support.fault_contract import Ctx, check_contract, make_media, snapshot
from tests.support.fault_faults import CACHE, CONCURRENCY, DISK, PERMISSIONS, SIGNALS
from tests.support.fault_learn import CHECKPOINTS, DATASET

ALL = MEDIA + OPTIONS + PATHS + DISK + PERMISSIONS + CACHE + SIGNALS + CONCURRENCY + DATASET \
    + CHECKPOINTS


def _can_mount(tmp: str) -> bool:
    if os.geteuid() != 0:
        return False
    ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", tmp],
                        capture_output=True).returncode == 0
    if ok:
        subprocess.run(["umount", tmp], check=False)
    return ok


@pytest.fixture(scope="session")
def corpus_media(tmp_path_factory):
    """The shared media, dataset, checkpoint and warm cache (made once per session)."""
    return make_media(tmp_path_factory.mktemp("corpus-media"))


@pytest.fixture(scope="session")
def abilities(tmp_path_factory):
    """What faults this machine can set up: ``mount`` (a tiny tmpfs), ``setpriv``."""
    have = set()
    if _can_mount(str(tmp_path_factory.mktemp("mount-probe"))):
        have.add("mount")
    if os.geteuid() != 0 or shutil.which("setpriv"):
        have.add("setpriv")
    return have


def _param(case):
    marks = [pytest.mark.xfail(reason=case.xfail, strict=True)] if case.xfail else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in ALL])
def test_fault_keeps_the_contract(case, corpus_media, abilities, tmp_path):
    if case.needs and case.needs not in abilities:
        pytest.skip(f"this machine cannot set up the fault ({case.needs})")
    ws = tmp_path / "ws"
    ws.mkdir()
    ctx = Ctx(ws=ws, cache=ws / "cache", media=corpus_media)
    try:
        argv = case.setup(ctx)
        before = snapshot(ctx)
        result = case.run(ctx, argv) if case.run else ctx.run(argv)
        check_contract(case, ctx, result, before)
    finally:
        for undo in reversed(ctx.cleanup):
            undo()


def test_the_corpus_is_big_and_covers_every_category():
    prefixes = {c.id.split("-")[0] for c in ALL}
    assert len(ALL) >= 60 and len({c.id for c in ALL}) == len(ALL)
    assert {"media", "option", "path", "disk", "perm", "cache", "signal", "concurrent",
            "dataset", "ckpt"} <= prefixes

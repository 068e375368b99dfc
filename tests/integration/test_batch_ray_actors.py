"""The GPU-actor path on a local Ray that declares one GPU (none is needed: Ray trusts the
declaration): each actor holds its share, and one actor process takes film after film."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("ray") is None,
                                reason="needs the cluster extra (ray)")

SCRIPT = r"""
import json, os
from trailersmith.batch.ray_engine import RayEngine
from trailersmith.batch.resources import WorkerPlan

def job(spec, reporter):
    import ray
    if spec == "bad":
        raise ValueError("bad film")
    return {"spec": spec, "pid": os.getpid(),
            "gpu": ray.get_runtime_context().get_assigned_resources().get("GPU"),
            "gpu_ids": [str(g) for g in ray.get_gpu_ids()]}

engine = RayEngine(address=None, workers=2, gpus_per_worker=0.5, local_gpus=1)
try:
    outs = list(engine.map(job, ["a", "b", "bad", "c", "d"],
                           plan=WorkerPlan("actor", 1.0, 0.5, ())))
finally:
    engine.close()
print(json.dumps([{"index": o.index, "value": o.value, "error": o.error} for o in outs]))
"""


def test_gpu_actors_hold_their_share_and_take_several_films():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    outs = {o["index"]: o for o in json.loads(out.stdout.strip().splitlines()[-1])}
    assert sorted(outs) == [0, 1, 2, 3, 4]
    assert outs[2]["error"] == "unexpected ValueError: bad film"  # reported, not retried
    good = [outs[i]["value"] for i in (0, 1, 3, 4)]
    assert all(v["gpu"] == 0.5 and v["gpu_ids"] == ["0"] for v in good)
    pids = [v["pid"] for v in good]
    assert len(set(pids)) == 2  # two actors share the one GPU ...
    assert max(pids.count(p) for p in set(pids)) >= 2  # ... and an actor takes film after film

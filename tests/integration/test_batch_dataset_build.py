"""``dataset build`` on the batch engine (a local Ray, two workers) builds the same dataset as
the builder's own one-movie-at-a-time loop."""
from __future__ import annotations

import importlib.util
import json
import subprocess

import numpy as np
import pytest

from trailersmith.cli import main

BBB = "video/bbb/bbb_full_720p24.mp4"
MUSIC = "music/librosa/sorohanro_-_solo-trumpet-06.hq.ogg"


def _cut(source, start, seconds, out):
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", str(start), "-i", str(source), "-t",
                    str(seconds), "-c", "copy", str(out)], check=True)


@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="needs the cluster extra")
def test_dataset_build_on_ray_matches_the_in_process_build(tmp_path, media_path):
    lines = ["movie,trailer,music"]
    for i, start in enumerate((120, 200)):  # two movies, each with a "trailer" cut from it
        _cut(media_path(BBB), start, 12, tmp_path / f"movie{i}.mp4")
        _cut(tmp_path / f"movie{i}.mp4", 2, 5, tmp_path / f"trailer{i}.mp4")
        lines.append(f"movie{i}.mp4,trailer{i}.mp4,{media_path(MUSIC)}")
    (tmp_path / "pairs.csv").write_text("\n".join(lines) + "\n")
    built = {}
    for name, engine in (("here", ["--engine", "in-process"]), ("ray", ["--workers", "2"])):
        out = tmp_path / name
        assert main(["dataset", "build", str(tmp_path / "pairs.csv"), str(out), "--detector",
                     "histogram", *engine]) == 0
        built[name] = json.loads((out / "dataset.json").read_text())
    here, ray = built["here"]["pairs"], built["ray"]["pairs"]
    assert [p["id"] for p in here] == [p["id"] for p in ray] == ["movie0__trailer0",
                                                                 "movie1__trailer1"]
    for a, b in zip(here, ray):
        # Figures equal up to float summation order (Ray workers run other BLAS threads).
        assert sorted(a["report"]) == sorted(b["report"])
        for key, value in a["report"].items():
            if isinstance(value, float):
                assert value == pytest.approx(b["report"][key], rel=1e-6), key
            else:
                assert value == b["report"][key], key
        with np.load(tmp_path / "here" / a["file"]) as x, \
                np.load(tmp_path / "ray" / b["file"]) as y:
            assert x.files == y.files
            for name in x.files:
                if np.issubdtype(x[name].dtype, np.floating):
                    np.testing.assert_allclose(x[name], y[name], rtol=1e-5, atol=1e-6,
                                               err_msg=name)
                else:
                    np.testing.assert_array_equal(x[name], y[name], err_msg=name)

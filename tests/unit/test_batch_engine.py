"""The batch engine without a cluster: resource requests, the in-process engine, rows, imports."""
from __future__ import annotations

import subprocess
import sys

import pytest

from trailersmith.batch import engine as engine_mod
from trailersmith.batch.engine import InProcessEngine, make_engine
from trailersmith.batch.jobs import StageClock
from trailersmith.batch.pairs import combinations, read_pairs
from trailersmith.batch.resources import actor_count, worker_plan
from trailersmith.core.errors import Cancelled, MediaError, ParameterError
from trailersmith.core.options import SuggestOptions
from trailersmith.core.progress import Progress


def test_cpu_only_films_are_plain_cpu_tasks():
    plan = worker_plan(SuggestOptions(detector="transnetv2"), cpus_per_worker=2)
    assert (plan.kind, plan.num_cpus, plan.num_gpus) == ("task", 2.0, 0.0)


def test_a_gpu_share_makes_model_films_gpu_actors_that_hold_that_share():
    plan = worker_plan(SuggestOptions(detector="transnetv2", backend="imagebind"),
                       gpus_per_worker=0.25)
    assert (plan.kind, plan.num_cpus, plan.num_gpus) == ("actor", 1.0, 0.25)
    assert plan.models == ("transnetv2", "imagebind")
    assert actor_count(plan, workers=0, cluster_gpus=2) == 8  # four films per GPU
    assert actor_count(plan, workers=3, cluster_gpus=2) == 3


def test_a_film_without_a_model_asks_for_no_gpu():
    plan = worker_plan(SuggestOptions(detector="histogram"), gpus_per_worker=0.5)
    assert (plan.kind, plan.num_gpus, plan.models) == ("task", 0.0, ())


@pytest.mark.parametrize("gpus", [-0.1, 1.5])
def test_a_gpu_share_outside_one_gpu_is_refused(gpus):
    with pytest.raises(ParameterError, match="gpus-per-worker"):
        worker_plan(SuggestOptions(), gpus_per_worker=gpus)


def test_gpu_actors_on_a_cluster_without_gpus_are_refused():
    plan = worker_plan(SuggestOptions(detector="transnetv2"), gpus_per_worker=0.5)
    with pytest.raises(ParameterError, match="no GPU"):
        actor_count(plan, workers=0, cluster_gpus=0)


def _job(spec, reporter):
    if spec == "bad":
        raise MediaError("bad movie")
    if spec == "crash":
        raise ValueError("boom")
    return {"spec": spec, "reporter": reporter is not None}


def test_in_process_engine_reports_a_bad_film_and_goes_on():
    outs = list(InProcessEngine().map(_job, ["a", "bad", "crash", "b"],
                                      reporter_for=lambda i: object()))
    assert [o.index for o in outs] == [0, 1, 2, 3]
    assert [o.value["spec"] if o.value else None for o in outs] == ["a", None, None, "b"]
    assert outs[1].error == "bad movie"
    assert outs[2].error == "unexpected ValueError: boom"
    assert outs[0].value["reporter"] is True


def test_in_process_engine_stops_on_cancel():
    def cancelled(spec, reporter):
        raise Cancelled("stop")
    with pytest.raises(Cancelled):
        list(InProcessEngine().map(cancelled, ["a", "b"]))


def test_without_ray_the_work_runs_in_process_and_an_address_is_refused(monkeypatch):
    monkeypatch.setattr(engine_mod, "ray_installed", lambda: False)
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    assert isinstance(make_engine(workers=4), InProcessEngine)
    with pytest.raises(ParameterError, match="cluster"):
        make_engine(ray_address="127.0.0.1:6379")
    monkeypatch.setenv("RAY_ADDRESS", "127.0.0.1:6379")
    with pytest.raises(ParameterError, match="RAY_ADDRESS"):
        make_engine()


def test_local_ray_settings_stats_off_loopback_and_a_one_off_token(monkeypatch):
    from trailersmith.batch.ray_engine import prepare_environment

    for name in ("RAY_USAGE_STATS_ENABLED", "RAY_AUTH_MODE", "RAY_AUTH_TOKEN",
                 "RAY_AUTH_TOKEN_PATH", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"):
        monkeypatch.delenv(name, raising=False)
    prepare_environment(local=True)
    import os
    assert os.environ["RAY_USAGE_STATS_ENABLED"] == "0"
    assert os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] == "0"
    assert os.environ["RAY_AUTH_MODE"] == "token" and len(os.environ["RAY_AUTH_TOKEN"]) == 64
    monkeypatch.setenv("RAY_AUTH_TOKEN", "users-own")
    prepare_environment(local=False)  # an existing cluster keeps the user's settings
    assert os.environ["RAY_AUTH_TOKEN"] == "users-own"


def test_stage_clock_adds_up_time_per_stage(monkeypatch):
    ticks = iter([0.0, 1.0, 1.5, 4.0, 10.0])
    monkeypatch.setattr("trailersmith.batch.jobs.time.perf_counter", lambda: next(ticks))
    clock = StageClock()
    for stage in ("decode", "decode", "shots", "decode"):
        clock(Progress(stage, 0, 1))
    assert clock.finish() == {"decode": 1.5 + 6.0, "shots": 2.5}


def test_pairs_csv_rows_carry_their_own_options(tmp_path):
    (tmp_path / "pairs.csv").write_text("# a comment\nmovie,music,id,seed,pace\n"
                                        "a.mp4,x.wav,,3,\nb.mp4,y.wav,second,,2\n")
    rows = read_pairs(str(tmp_path / "pairs.csv"), SuggestOptions(seed=9))
    assert [r.row_id for r in rows] == ["a__x", "second"]
    assert rows[0].movie == str(tmp_path / "a.mp4")
    assert (rows[0].options.seed, rows[0].options.pace) == (3, 1.0)
    assert (rows[1].options.seed, rows[1].options.pace) == (9, 2.0)


def test_pairs_csv_with_an_unknown_column_or_a_repeated_row_is_refused(tmp_path):
    (tmp_path / "p.csv").write_text("movie,music,colour\na.mp4,x.wav,red\n")
    with pytest.raises(ParameterError, match="colour"):
        read_pairs(str(tmp_path / "p.csv"), SuggestOptions())
    with pytest.raises(ParameterError, match="twice"):
        combinations(["a.mp4", "a.mp4"], ["x.wav"], SuggestOptions())


def test_nothing_imports_ray_until_a_batch_command_runs(tmp_path):
    code = ("import sys, trailersmith.cli as cli\n"
            "p = cli.build_parser()\n"
            "p.parse_args(['batch', 'analyze', 'a.mp4', '--workers', '2'])\n"
            "import trailersmith.batch.runner, trailersmith.batch.engine\n"
            "from trailersmith.batch.engine import make_engine\n"
            "make_engine(engine='in-process').close()\n"
            "assert 'ray' not in sys.modules, 'ray was imported'\n"
            "print('ok')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_auto_runs_a_single_film_in_process_without_starting_ray(monkeypatch):
    monkeypatch.setattr(engine_mod, "ray_installed", lambda: True)
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    assert isinstance(make_engine(jobs=1), InProcessEngine)
    with pytest.raises(ParameterError, match="in-process"):
        make_engine(engine="in-process", ray_address="127.0.0.1:6379")

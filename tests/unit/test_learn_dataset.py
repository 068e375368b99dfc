"""Dataset format: round trip, refusal of unknown versions, movie-level splits, CSV parsing."""
import json

import numpy as np
import pytest

from trailersmith.core.errors import ParameterError
from trailersmith.core.learn.builder import build_dataset, read_pairs
from trailersmith.core.learn.dataset import load_dataset, read_index, save_dataset, split_by_movie
from trailersmith.core.learn.planted import make_planted


def test_round_trip_keeps_every_array(tmp_path):
    examples = make_planted(3, seed=1)
    examples[1].match[2] = -1
    save_dataset(str(tmp_path), examples, backend="planted")
    index, loaded = load_dataset(str(tmp_path))
    assert index["format"] == "trailersmith-dataset" and index["backend"] == "planted"
    for a, b in zip(examples, loaded):
        assert (a.pair_id, a.movie_id) == (b.pair_id, b.movie_id)
        for name in ("movie_features", "movie_durations_s", "movie_scenes", "music_features",
                     "music_durations_s", "match"):
            assert np.array_equal(getattr(a, name), getattr(b, name)), name
    m = loaded[1].matched()
    assert len(m.match) == len(loaded[1].match) - 1 and (m.match >= 0).all()
    assert m.music_features.shape[0] == len(m.match)
    assert not list(tmp_path.glob("**/.tmp-*"))  # no temporary files left behind


def test_newer_version_and_broken_files_are_refused(tmp_path):
    save_dataset(str(tmp_path), make_planted(2, seed=1), backend="planted")
    index = json.loads((tmp_path / "dataset.json").read_text())
    (tmp_path / index["pairs"][0]["file"]).write_bytes(b"garbage")
    with pytest.raises(ParameterError, match="rebuild"):
        load_dataset(str(tmp_path))
    index["version"] = 99
    (tmp_path / "dataset.json").write_text(json.dumps(index))
    with pytest.raises(ParameterError, match="newer"):
        read_index(str(tmp_path))
    with pytest.raises(ParameterError, match="dataset build"):
        read_index(str(tmp_path / "nothing"))


def test_split_by_movie_keeps_trailers_of_a_movie_together():
    examples = make_planted(20, seed=2)
    twins = [ex.matched() for ex in examples[:5]]
    for t in twins:
        t.pair_id += "-second-trailer"
    train, val = split_by_movie(examples + twins, (0.8,), seed=0)
    assert {e.movie_id for e in train}.isdisjoint({e.movie_id for e in val})
    assert len({e.movie_id for e in val}) == 4
    again = split_by_movie(list(reversed(examples + twins)), (0.8,), seed=0)
    assert {e.pair_id for e in again[1]} == {e.pair_id for e in val}  # order does not matter
    other = split_by_movie(examples, (0.8,), seed=1)
    assert {e.movie_id for e in other[1]} != {e.movie_id for e in val}


def test_pairs_csv_parsing(tmp_path):
    (tmp_path / "m.mp4").write_bytes(b"x")
    csv = tmp_path / "pairs.csv"
    csv.write_text("# my catalogue\nmovie,trailer,music\nm.mp4,t1.mp4;t2.mp4,\n")
    rows = read_pairs(str(csv))
    assert [r.pair_id for r in rows] == ["m__t1", "m__t2"]
    assert rows[0].movie == str(tmp_path / "m.mp4") and rows[0].music is None
    csv.write_text("movie,trailer,id\nm.mp4,t1.mp4,a\nm.mp4,t2.mp4,a\n")
    with pytest.raises(ParameterError, match="used twice"):
        read_pairs(str(csv))
    csv.write_text("movie,trailer\nm.mp4,missing.mp4\n")
    report = build_dataset(str(csv), str(tmp_path / "out"))
    assert report["failed"] == 1 and "not found" in report["pairs"][0]["error"]
    with pytest.raises(ParameterError, match="not found"):
        read_pairs(str(tmp_path / "nope.csv"))

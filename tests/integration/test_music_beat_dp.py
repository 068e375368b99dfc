"""Our DP beat tracker against librosa's default tracker (the reference for "cuts on the beat")."""
import numpy as np
import pytest

from trailersmith.core import synthetic
from trailersmith.core.music import beat_dp


def _both(y, sr):
    import librosa
    onset = librosa.onset.onset_strength(y=y, sr=sr)
    _, ref = librosa.beat.beat_track(onset_envelope=onset, sr=sr)
    return beat_dp.track(onset, sr, 512), ref


def _agreement(ours, ref, tol=1):
    return np.mean([np.min(np.abs(ours - r)) <= tol for r in ref])


def test_synthetic_drums_agree_with_librosa_and_the_truth():
    y, truth = synthetic.render_music(tempo_bpm=126, duration_s=20.0, loud_from_s=0.0)
    ours, ref = _both(y, 22050)
    assert _agreement(ours, ref) == 1.0
    times = ours * 512 / 22050
    assert np.mean([np.min(np.abs(times - t)) < 0.05 for t in truth[1:-1]]) > 0.95


@pytest.mark.parametrize("track", ["wesnoth/frantic.ogg", "wesnoth/love_theme.ogg",
                                   "wesnoth/heroes_rite.ogg"])
def test_real_music_agrees_with_librosa(media_path, track):
    import librosa
    y, sr = librosa.load(str(media_path(f"music/{track}")))
    ours, ref = _both(y, sr)
    assert _agreement(ours, ref) >= 0.95  # librosa's beats that we also find, within one frame
    assert _agreement(ref, ours) >= 0.9   # our beats that librosa also finds


def test_silence_gives_no_beats():
    assert len(beat_dp.track(np.zeros(500), 22050, 512)) == 0


def test_beat_path_follows_a_clean_pulse():
    score = np.zeros(400)
    score[10::20] = 1.0
    beats = beat_dp.beat_path(beat_dp.local_score(score, 20.0), 20.0)
    assert len(beats) == 20 and abs(beats[0] - 10) <= 1  # the path may start on the rise
    assert beats[1:].tolist() == list(range(30, 400, 20))

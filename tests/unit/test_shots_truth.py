"""The one reader of shot annotation CSVs: each kind of row lands where the cut metrics need it."""
from trailersmith.core.shots.truth import (
    read_corrections,
    read_hard_negatives,
    read_shot_truth,
    with_corrections,
)

SHOTS = """# a comment line, then the header
# fps=24
frame,time_s,kind,transition_first_frame,transition_last_frame,detector_votes,note
3,0.125,fade_in,3,50,,opens from black
285,11.875,cut,285,285,6,hard cut
378,15.750,cut,378,378,2,AMBIGUOUS: a whip pan
500,20.833,iris_in_NOT_A_SHOT_CHANGE,490,510,,same shot
700,29.167,fade_out+fade_in,690,712,,
"""


def test_every_row_kind_is_sorted_out(tmp_path):
    path = tmp_path / "clip.shots.csv"
    path.write_text(SHOTS)
    truth = read_shot_truth(path)
    assert truth.hard_cuts == [285]
    assert truth.ambiguous == [378]
    assert truth.gradual == [(3, 50), (690, 712)]
    assert truth.not_boundaries == [(490, 510)]
    assert truth.annotated_frames == [3, 285, 378, 500, 700]
    assert truth.ignore_ranges(2) == [(1, 52), (688, 714), (376, 380)]


def test_hard_negatives_are_frames(tmp_path):
    path = tmp_path / "clip.hard_negatives.csv"
    path.write_text("# rejected candidates\nframe,time_s,detector_votes,detectors,why_rejected\n"
                    "9,0.375,4,adaptive,fade\n18,0.750,1,hist,flash\n")
    assert read_hard_negatives(path) == [9, 18]


def test_a_correction_turns_a_span_into_a_transition_and_clears_what_lies_inside(tmp_path):
    path = tmp_path / "clip.shots.csv"
    path.write_text(SHOTS)
    fixes = tmp_path / "corrections.csv"
    fixes.write_text('# clip,first,last,kind,evidence\n'
                     'clip,280,290,dissolve,"frames 280-290 mix two shots, not a cut"\n'
                     'other,5,9,dissolve,not this clip\n')
    spans = read_corrections(fixes, "clip")
    assert spans == [(280, 290)]
    truth, negatives = with_corrections(read_shot_truth(path), [100, 279, 292, 293], spans)
    assert truth.hard_cuts == [] and truth.ambiguous == [378]
    assert truth.gradual == [(3, 50), (280, 290), (690, 712)]
    assert negatives == [100, 293]
    untouched = read_shot_truth(path)
    assert with_corrections(untouched, [1], []) == (untouched, [1])

"""The report's content, computed once for every format: chart geometry, answers in words, changes."""

from __future__ import annotations

from pathlib import Path

from aiassure.assessments.inputs import load_previous
from aiassure.assessments.model import Answer
from aiassure.assessments.result import to_result
from aiassure.reports.charts import radar
from aiassure.reports.context import answer_text, build_report_context, file_name_only
from aiassure.reports.writer import match_previous

DATA = Path(__file__).parent / "data"


def test_radar_needs_three_axes_and_stays_in_its_box() -> None:
    assert radar([("Safe", 2.0, "2"), ("Ethical", 3.0, "3")], 5) is None
    chart = radar(
        [("Safe", 5.0, "5"), ("Ethical", None, "not assessed"), ("Effective", 9.0, "?"), ("Other", 0.0, "0")], 5
    )
    assert chart is not None and len(chart.rings) == 5 and len(chart.axes) == 4
    for axis in chart.axes:
        assert chart.top <= axis.label_y <= chart.top + chart.height
    points = [tuple(map(float, p.split(","))) for p in chart.shape.split()]
    assert all(abs(x - chart.centre) <= chart.centre and abs(y - chart.centre) <= chart.centre for x, y in points)


def test_answers_are_shown_in_words(load) -> None:
    parsed = load("northshire-2026-Q4.yaml")
    criteria = parsed.rubric.criteria
    labels = parsed.rubric.labels
    assert answer_text(criteria["gov-01"], parsed.answers["gov-01"], "unevidenced", labels) == "3 (Defined)"
    assert answer_text(criteria["gov-02"], parsed.answers["gov-02"], "credited", labels) == "Yes"
    assert (
        answer_text(criteria["dp-01"], parsed.answers["dp-01"], "credited", labels).splitlines()[0]
        == "Data protection impact assessments"
    )
    assert answer_text(criteria["dp-02"], parsed.answers["dp-02"], "na", labels) == "Not applicable"
    assert answer_text(criteria["val-01"], parsed.answers["val-01"], "credited", labels) == "45%"
    assert answer_text(criteria["val-02"], None, "unanswered", labels) == "Not answered"
    assert answer_text(criteria["val-02"], Answer(value=[]), "credited", labels) == (
        "Met 0 of 3; missing:\n– Baselines are measured\n– Benefits are reviewed after go-live\n– Results are published"
    )
    met_two = Answer(value=["baseline", "publish"])
    assert answer_text(criteria["val-02"], met_two, "credited", labels) == (
        "Met 2 of 3; missing:\n– Benefits are reviewed after go-live"
    )
    assert answer_text(criteria["dp-02"], Answer(value="leaflet"), "not_applicable", labels) == "Does not apply"


def test_failed_gates_say_what_they_capped(load) -> None:
    parsed = load("hostile-vendor.yaml")
    context = build_report_context(parsed, to_result(parsed))
    [gate] = context["failed_gates"]
    assert gate["criterion"] == "cs-02" and gate["cap"]["level"] == 2
    assert gate["sentence"].endswith(
        "so it caps the Clinical safety domain at level 2 (Developing); its score of 1.50 is no higher than that,"
        " so the cap changes nothing."
    )
    assert not gate["binds"]  # the domain is at 1.50, below the cap of 2
    assert context["change"] is None and context["roadmap"]["top"][0]["gate_failed"]
    assert context["provenance"]["submission_file"] == "hostile-vendor.yaml"


def test_change_since_the_latest_earlier_round_of_the_same_subject(load, report_library) -> None:
    q2, q4 = (to_result(load(name)) for name in ("northshire-2026-Q2.yaml", "northshire-2026-Q4.yaml"))
    other = to_result(load("hostile-vendor.yaml"))
    assert match_previous(q4, [q2, q4, other]) == q2
    assert match_previous(q2, [q4, other]) is None
    assert load_previous([DATA / "northshire-2026-Q2.yaml"], report_library) == [q2]
    change = build_report_context(load("northshire-2026-Q4.yaml"), q4, q2)["change"]
    assert change["overall"]["direction"] == "up" and change["overall"]["text"] == "up 1 level, score +0.83"
    # a score that moves inside a level is shown too
    assert [p["text"] for p in change["pillars"]] == [
        "up 2 levels, score +2.00",
        "up 3 levels, score +2.50",
        "same level, score +0.33",
    ]
    assert change["outcome_changed"] and change["gates_cleared"] == ["gov-01"] and change["gates_failed"] == []


def test_locations_keep_the_file_name_only() -> None:
    assert file_name_only("/some/where/RX1.yaml:14:3") == "RX1.yaml:14:3"
    assert file_name_only("RX1.yaml") == "RX1.yaml"

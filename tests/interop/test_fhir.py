"""FHIR: rubrics as Questionnaires, answers from QuestionnaireResponses, and the round trip that keeps every score."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from interop_helpers import EXAMPLES, LOCAL_RUBRICS, SUBMISSIONS

from aiassure.assessments.result import to_result
from aiassure.assessments.validate import ParsedSubmission, load_submission
from aiassure.cli import main
from aiassure.errors import InputError
from aiassure.interop.fhir_checks import binding_problems, questionnaire_problems, structure_problems, walk_items
from aiassure.interop.questionnaire import questionnaire
from aiassure.interop.response import ImportOptions, read_response, response_from_submission
from aiassure.rubrics.loader import RubricLibrary

RUBRICS = ["nhs-ai-readiness@1.0.0", "nhs-ai-technology@1.0.0", str(LOCAL_RUBRICS / "northshire-ai-readiness.yaml")]


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def comparable(parsed: ParsedSubmission) -> str:
    """The result JSON less what names the input file itself: the SHA-256 of its bytes and the
    file:line:col of its warnings (the imported file is another file, by construction)."""
    result = json.loads(to_result(parsed).to_json())
    result["submission"] = None
    for warning in result["warnings"]:
        warning["location"] = None
    return json.dumps(result, sort_keys=True)


def given(parsed: ParsedSubmission) -> dict[str, Any]:
    """The answers that say something (an empty entry and a missing one are the same answer)."""
    return {k: a for k, a in parsed.answers.items() if a.given or a.notes or a.owner or a.evidence}


def same_envelope(back: ParsedSubmission, parsed: ParsedSubmission) -> None:
    """The same subject, round, date and assessors; the rubric named by id@version (it may have been a path)."""
    assert back.envelope.rubric == parsed.rubric.ref
    assert back.envelope.model_copy(update={"rubric": ""}) == parsed.envelope.model_copy(update={"rubric": ""})


def round_trip(parsed: ParsedSubmission, library: RubricLibrary, out: Path) -> ParsedSubmission:
    response = response_from_submission(parsed)
    assert structure_problems(response, "QuestionnaireResponse") == []
    raw = json.dumps(response, indent=2).encode()
    imported = read_response(raw, "response.json", library, ImportOptions(), out)
    out.write_text(imported.text, encoding="utf-8")
    return load_submission(out, library)


@pytest.mark.parametrize("ref", RUBRICS, ids=["readiness", "technology", "local-extension"])
def test_each_rubric_is_a_valid_questionnaire(ref: str, example_library: RubricLibrary) -> None:
    rubric = example_library.resolve(ref)
    resource = questionnaire(rubric)
    assert questionnaire_problems(resource) == []
    items = dict((item["linkId"], item) for _, item in walk_items(resource["item"], ()))
    assert set(rubric.criteria) <= set(items)
    assert resource["url"] == f"urn:aiassure:rubric:{rubric.id}" and resource["version"] == rubric.version
    assert resource["extension"][0]["valueString"] == rubric.fingerprint
    # One group per domain, holding its criteria in the rubric's order.
    groups = [item for item in resource["item"] if item["linkId"].startswith("domain/")]
    assert [g["linkId"] for g in groups] == [f"domain/{d.id}" for d in rubric.model.domains]
    for group, domain in zip(groups, rubric.model.domains, strict=True):
        assert [i["linkId"] for i in group["item"] if i["type"] != "display"] == [c.id for c in domain.criteria]
    for criterion in rubric.criteria.values():
        item = items[criterion.id]
        if criterion.type == "level":
            codes = [o["valueCoding"]["code"] for o in item["answerOption"]]
            assert codes[: len(rubric.labels)] == [str(level) for level in sorted(rubric.labels)]
        if criterion.applies_if:
            assert item["enableWhen"], criterion.id


def test_applies_if_becomes_enable_when_with_any(example_library: RubricLibrary) -> None:
    rubric = example_library.resolve("nhs-ai-technology@1.0.0")
    items = {item["linkId"]: item for _, item in walk_items(questionnaire(rubric)["item"], ())}
    ua04 = items["ua-04"]  # applies_if: nice-tier in [tier-b, tier-c]
    assert ua04["enableBehavior"] == "any"
    assert [w["answerCoding"]["code"] for w in ua04["enableWhen"]] == ["tier-b", "tier-c"]
    assert {w["question"] for w in ua04["enableWhen"]} == {"nice-tier"}
    assert "enableBehavior" not in items["ev-03"] and len(items["ev-03"]["enableWhen"]) == 1


@pytest.mark.slow
@pytest.mark.parametrize("example", SUBMISSIONS, ids=[str(p.relative_to(EXAMPLES)) for p in SUBMISSIONS])
def test_round_trip_of_each_example_keeps_its_score(
    example: Path, examples: Path, example_library: RubricLibrary
) -> None:
    """example -> QuestionnaireResponse -> answers YAML -> the same result, byte for byte."""
    copy_of_example = examples / example.relative_to(EXAMPLES)
    parsed = load_submission(copy_of_example, example_library)
    back = round_trip(parsed, example_library, copy_of_example.with_name(f"{copy_of_example.stem}.imported.yaml"))
    assert comparable(back) == comparable(parsed)
    assert given(back) == given(parsed)
    same_envelope(back, parsed)


def every_kind_of_answer(rubric_ref: str, library: RubricLibrary, tmp_path: Path) -> ParsedSubmission:
    """A submission answering every criterion of a rubric, using `na`, `None of these` and evidence
    of both kinds wherever the rubric allows them."""
    rubric = library.resolve(rubric_ref)
    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "policy.md").write_text("policy\n")
    answers: dict[str, Any] = {}
    for index, criterion in enumerate(rubric.criteria.values()):
        evidence = [
            {"title": "Policy", "path": "evidence/policy.md", "date": "2026-10-01"},
            {"title": "Minutes", "url": "https://trust.example/minutes.pdf"},
        ]
        if criterion.allow_na and index % 2 == 0:
            answers[criterion.id] = {"value": "na", "reason": "Not used here", "approved_by": "DPO"}
        elif criterion.type == "level":
            answers[criterion.id] = {
                "level": index % (rubric.top + 1),
                "notes": "Said in the board paper",
                "evidence": evidence,
            }
        elif criterion.type == "yes_no":
            answers[criterion.id] = "yes" if index % 2 else "no"
        elif criterion.type == "choice":
            answers[criterion.id] = (criterion.options or [])[index % len(criterion.options or [])].id
        elif criterion.type == "multi":
            answers[criterion.id] = []  # nothing selected: an answer, not a missing one
        elif criterion.type == "checklist":
            answers[criterion.id] = {"value": [e.id for e in criterion.elements or []][:3], "owner": "CCIO"}
        elif criterion.type == "number":
            low, high = criterion.range or (0, 100)
            answers[criterion.id] = low + (high - low) / 4
        else:
            answers[criterion.id] = "Free text, with “quotes” and a: colon"
    submission = {
        "rubric": rubric.ref,
        "subject": {"type": rubric.model.subject, "name": "Test subject", "code": "TST1", "org_type": "vendor"}
        | ({"supplier": {"name": "Test supplier"}, "version": "2.0"} if rubric.model.subject == "technology" else {}),
        "assessed_by": {"name": "Assessing trust", "code": "RA1", "org_type": "acute"},
        "round": "2026-Q4",
        "assessed_on": "2026-11-20",
        "assessors": [{"name": "A. Person", "role": "CSO"}, {"name": "B. Person"}],
        "answers": answers,
    }
    path = tmp_path / "all.yaml"
    path.write_text(json.dumps(submission), encoding="utf-8")  # JSON is YAML
    return load_submission(path, library)


@pytest.mark.parametrize("ref", RUBRICS[:2], ids=["readiness", "technology"])
def test_round_trip_of_every_kind_of_answer(ref: str, example_library: RubricLibrary, tmp_path: Path) -> None:
    parsed = every_kind_of_answer(ref, example_library, tmp_path)
    assert any(a.na for a in parsed.answers.values()) and any(a.value == [] for a in parsed.answers.values())
    back = round_trip(parsed, example_library, tmp_path / "imported.yaml")
    assert comparable(back) == comparable(parsed)
    assert given(back) == given(parsed)
    same_envelope(back, parsed)


# --- the command line -------------------------------------------------------------------------


def test_export_and_import_through_the_command_line(examples: Path, tmp_path: Path) -> None:
    questionnaire_file = tmp_path / "questionnaire.json"
    done = run("export", "fhir", "nhs-ai-readiness@1.0.0", "-o", str(questionnaire_file))
    assert done.exit_code == 0, done.output
    assert questionnaire_problems(json.loads(questionnaire_file.read_text())) == []
    response = tmp_path / "response.json"
    submission = examples / "2026-Q4" / "RX1.yaml"
    assert run("export", "fhir-response", str(submission), "-o", str(response)).exit_code == 0
    answers = examples / "2026-Q4" / "RX1-from-fhir.yaml"
    done = run("import", "fhir", str(response), "-o", str(answers), "--questionnaire", str(questionnaire_file))
    assert done.exit_code == 0, done.output
    scored = [json.loads(run("score", "--format", "json", str(p)).stdout) for p in (submission, answers)]
    for result in scored:
        result["submission"] = result["warnings"] = None
    assert scored[0] == scored[1]
    again = run("import", "fhir", str(response), "-o", str(answers))
    assert again.exit_code == 2 and "--force" in again.output


def test_import_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    response = tmp_path / "response.json"
    response.write_text("{}")
    done = run("import", "fhir", str(response), "-o", str(response), "--force")
    assert done.exit_code == 2 and "refusing to overwrite the input" in done.output
    assert response.read_text() == "{}"


@pytest.fixture
def response_file(examples: Path, example_library: RubricLibrary, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    parsed = load_submission(examples / "2026-Q4" / "RX2.yaml", example_library)
    response = response_from_submission(parsed)
    return tmp_path / "response.json", response


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def import_errors(path: Path, *extra: str) -> tuple[int, str, Path]:
    out = path.with_name("answers.yaml")
    done = run("import", "fhir", str(path), "-o", str(out), *extra)
    return done.exit_code, done.output, out


def test_unknown_link_id_is_located_by_line_column_and_json_path(response_file: tuple[Path, dict[str, Any]]) -> None:
    path, response = response_file
    response["item"][1]["item"][1]["linkId"] = "ls-1"
    code, output, out = import_errors(write_json(path, response))
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if '"ls-1"' in text)
    assert code == 1 and not out.exists()
    assert f"response.json:{line}:" in output and "($.item[1].item[1].linkId)" in output
    assert "unknown-linkid" in output and "did you mean ls-01?" in output
    assert "Traceback" not in output


def test_codes_outside_the_value_set_and_wrong_types_are_errors(response_file: tuple[Path, dict[str, Any]]) -> None:
    path, response = response_file
    stage = response["item"][1]["item"][0]
    assert stage["linkId"] == "ai-stage"
    stage["answer"][0]["valueCoding"]["code"] = "livee"
    level = response["item"][1]["item"][1]
    level["answer"][0] = {"valueString": "4"} | {k: v for k, v in level["answer"][0].items() if k == "item"}
    code, output, out = import_errors(write_json(path, response))
    assert code == 1 and not out.exists()
    assert "not-in-value-set ($.item[1].item[0].answer[0].valueCoding)" in output and "did you mean live?" in output
    assert "wrong-answer-type ($.item[1].item[1].answer[0])" in output


def test_a_response_to_another_version_is_refused(response_file: tuple[Path, dict[str, Any]]) -> None:
    path, response = response_file
    response["questionnaire"] = "urn:aiassure:rubric:nhs-ai-readiness|1.1.0"
    code, output, out = import_errors(write_json(path, response))
    assert code == 1 and not out.exists()
    assert "($.questionnaire)" in output and "nhs-ai-readiness@1.1.0" in output


def test_a_response_to_another_fingerprint_is_refused(
    response_file: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    path, response = response_file
    changed = copy.deepcopy(response)
    changed["extension"][0]["valueString"] = "0" * 64
    code, output, out = import_errors(write_json(path, changed))
    assert code == 1 and not out.exists()
    assert "rubric-fingerprint ($.extension[0].valueString)" in output and "changed without a new version" in output
    # The same through the Questionnaire it answered, for a response that carries no fingerprint.
    del response["extension"]
    old = questionnaire(RubricLibrary().resolve("nhs-ai-readiness@1.0.0"))
    old["extension"][0]["valueString"] = "f" * 64
    code, output, _ = import_errors(
        write_json(path, response), "--questionnaire", str(write_json(tmp_path / "q.json", old))
    )
    assert code == 1 and "q.json was made for nhs-ai-readiness@1.0.0 with fingerprint ffffffffffff" in output


def test_not_json_and_not_a_response_are_located(tmp_path: Path) -> None:
    broken = tmp_path / "response.json"
    broken.write_text('{"resourceType": "QuestionnaireResponse",\n  "status": }\n')
    code, output, _ = import_errors(broken)
    assert code == 1 and "response.json:2:13: error json-syntax" in output
    code, output, _ = import_errors(write_json(broken, {"resourceType": "Patient"}))
    assert code == 1 and "expected resourceType 'QuestionnaireResponse'" in output
    code, output, _ = import_errors(
        write_json(
            broken, {"resourceType": "QuestionnaireResponse", "status": "completed", "questionnaire": "http://x/Q"}
        )
    )
    assert code == 1 and "not-aiassure-questionnaire ($.questionnaire)" in output


def test_subject_and_date_come_from_options_then_the_form_then_the_references(
    response_file: tuple[Path, dict[str, Any]],
) -> None:
    path, response = response_file
    response["item"][0]["item"] = [i for i in response["item"][0]["item"] if i["linkId"] == "about/subject/org_type"]
    response["subject"] = {"identifier": {"value": "RZZ"}, "display": "From the reference"}
    response["authored"] = "2026-05-02T10:00:00Z"
    write_json(path, response)
    out = path.with_name("answers.yaml")
    done = run("import", "fhir", str(path), "-o", str(out), "--subject-name", "From the option")
    assert done.exit_code == 0, done.output
    import yaml

    written = yaml.safe_load(out.read_text())
    assert written["subject"]["name"] == "From the option" and written["subject"]["code"] == "RZZ"
    assert str(written["assessed_on"]) == "2026-05-02" and written["round"] == "2026-Q2"
    del response["subject"], response["authored"]
    code, output, _ = import_errors(write_json(path, response), "--force")
    assert code == 1 and "missing-subject" in output and "--subject-code" in output and "missing-date" in output


# --- our own checks of what fhir.resources does not enforce -----------------------------------


def test_binding_checks_find_what_the_fhir_models_let_through() -> None:
    resource = questionnaire(RubricLibrary().resolve("nhs-ai-technology@1.0.0"))
    broken = copy.deepcopy(resource)
    broken["status"] = "published"
    domain = broken["item"][1]
    domain["item"][0]["type"] = "dropdown"
    reg01 = next(i for _, i in walk_items(broken["item"], ()) if i["linkId"] == "reg-01")
    reg01["enableWhen"][0]["answerCoding"]["code"] = "tier-z"
    first, second = broken["item"][2]["item"][:2]
    first["linkId"] = second["linkId"]
    assert structure_problems(broken, "Questionnaire") == []  # fhir.resources accepts every one of these
    found = {p.json_path: p.message for p in binding_problems(broken)}
    assert found.pop("$.status") == "status must be one of draft, active, retired, unknown"
    assert found.pop("$.item[1].item[0].type").startswith("item type 'dropdown' is not one of group, display")
    assert found.pop("$.item[2].item[1].linkId") == f"linkId {second['linkId']!r} is used twice"
    assert found.popitem()[1] == "'tier-z' is not an answer option of device-class"
    assert found == {}
    assert questionnaire_problems(resource) == []


def test_export_refuses_what_fails_the_checks(tmp_path: Path) -> None:
    out = tmp_path / "q.json"
    missing = run("export", "fhir", "no-such-rubric", "-o", str(out))
    assert missing.exit_code == 1 and "unknown rubric" in missing.output and not out.exists()


def test_a_questionnaire_response_with_answers_under_the_item_is_read_too(
    examples: Path, example_library: RubricLibrary
) -> None:
    """Some tools put a question's nested items beside its answers rather than beneath them."""
    parsed = load_submission(examples / "2026-Q4" / "RX1.yaml", example_library)
    response = response_from_submission(parsed)
    for _, item in walk_items(response["item"], ()):
        for answer in item.get("answer", []):
            if "item" in answer:
                item["item"] = answer.pop("item")
    out = examples / "2026-Q4" / "moved.yaml"
    imported = read_response(json.dumps(response).encode(), "r.json", example_library, ImportOptions(), out)
    out.write_text(imported.text)
    assert given(load_submission(out, example_library)) == given(parsed)


def test_import_errors_leave_nothing_behind(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        read_response(b"[]", "r.json", RubricLibrary(), ImportOptions(), tmp_path / "a.yaml")
    assert list(tmp_path.iterdir()) == []


def test_status_entered_in_error_is_refused_and_in_progress_warns(response_file: tuple[Path, dict[str, Any]]) -> None:
    path, response = response_file
    response["status"] = "entered-in-error"
    code, output, out = import_errors(write_json(path, response))
    assert code == 1 and "entered-in-error ($.status)" in output and not out.exists()
    response["status"] = "published"
    code, output, _ = import_errors(write_json(path, response))
    assert code == 1 and "status must be one of in-progress, completed" in output
    response["status"] = "in-progress"
    code, output, out = import_errors(write_json(path, response))
    assert code == 0 and "warning response-incomplete ($.status)" in output and out.exists()


def test_the_questionnaire_given_names_the_rubric_when_the_response_does_not(
    response_file: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    path, response = response_file
    exported = questionnaire(RubricLibrary().resolve("nhs-ai-readiness@1.0.0"))
    form = write_json(tmp_path / "q.json", exported)
    del response["questionnaire"]
    code, output, out = import_errors(write_json(path, response), "--questionnaire", str(form))
    assert code == 0, output
    response["questionnaire"] = "urn:aiassure:rubric:nhs-ai-technology|1.0.0"
    code, output, _ = import_errors(write_json(path, response), "--questionnaire", str(form), "--force")
    assert code == 1 and "questionnaire-mismatch ($.questionnaire)" in output

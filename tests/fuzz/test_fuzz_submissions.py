"""Fuzz loading, validating and scoring submissions: nothing but an AiassureError may escape (issue 6)."""

from __future__ import annotations

import yaml
from fuzz_strategies import (
    CRITERIA,
    block_document,
    dump,
    mutated,
    plausible_answer,
    submission_text,
    text_mutation,
)
from fuzz_support import FIXTURE_DIR, FUZZ, VALID_SUBMISSION, submission_bytes
from hypothesis import given
from hypothesis import strategies as st

from aiassure.rubrics.loader import RubricLibrary

LIBRARY = RubricLibrary([], use_env=False)
VALID_TEXT = VALID_SUBMISSION.read_text(encoding="utf-8")
VALID_DATA = yaml.safe_load(VALID_TEXT)


def test_the_seed_submission_scores() -> None:
    """The fuzzers start from this file; if it stopped being valid they would test much less."""
    assert submission_bytes(VALID_TEXT.encode(), LIBRARY) is not None


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(raw: bytes) -> None:
    submission_bytes(raw, LIBRARY)


@FUZZ
@given(block_document())
def test_random_yaml_documents(text: str) -> None:
    submission_bytes(text.encode("utf-8"), LIBRARY)


@FUZZ
@given(submission_text())
def test_random_yaml_answers(text: str) -> None:
    submission_bytes(text.encode("utf-8"), LIBRARY)


@FUZZ
@given(text_mutation(VALID_TEXT))
def test_text_mutations_of_a_valid_submission(raw: bytes) -> None:
    submission_bytes(raw, LIBRARY)


@FUZZ
@given(mutated(VALID_DATA))
def test_structural_mutations_of_a_valid_submission(data: object) -> None:
    submission_bytes(dump(data), LIBRARY)


@FUZZ
@given(st.dictionaries(st.sampled_from(CRITERIA), plausible_answer(), max_size=len(CRITERIA)))
def test_plausible_answers_score(answers: dict[str, object]) -> None:
    """Answers close to valid: most pass validation, so scoring and the result are exercised too."""
    data = {key: value for key, value in VALID_DATA.items() if key != "answers"}
    data["answers"] = answers
    submission_bytes(dump(data), LIBRARY, FIXTURE_DIR)

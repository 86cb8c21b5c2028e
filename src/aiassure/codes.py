"""The catalogue of every diagnostic code and exit code aiassure can emit, each with its one-line meaning.

docs/diagnostics.md is generated from it (tests/test_codes.py checks that it is current, and that
every code the source emits is declared here). A code is stable: tools may match on it.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Documented process exit codes (docs/diagnostics.md, README)."""

    OK = 0
    INVALID = 1  # invalid input or a failed check
    USAGE = 2  # the command line itself is wrong
    INTERNAL = 3  # a bug in aiassure: rerun with --debug and report it
    INTERRUPTED = 130  # stopped by Ctrl-C (128 + SIGINT, as shells report it)


EXIT_MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "ok: every input was valid and every check passed",
    ExitCode.INVALID: "invalid input or a failed check: the messages say `file:line:column`, what was expected "
    "and what to do",
    ExitCode.USAGE: "usage error: an unknown option, a missing argument, an output that would overwrite an input",
    ExitCode.INTERNAL: "internal error: a bug in aiassure; rerun with `--debug` for the traceback and report it",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C); nothing written is left half-written, and `assess` keeps every "
    "answer given",
}

# Diagnostic codes by what they are about, each with its one-line meaning. A code shared by several
# kinds of file (`too-large`, `unknown-key`, ...) is listed once, under the first that uses it.
SECTIONS: dict[str, dict[str, str]] = {
    "Reading a file (YAML and JSON)": {
        "no-such-file": "the file named does not exist",
        "not-a-file": "the path names a folder or something else that is not a regular file",
        "unreadable": "the file exists but cannot be read (permissions, an I/O error)",
        "too-large": "the file, or a file embedded in it, is over the size limit (raise it with --max-bytes)",
        "not-utf8": "the file is not valid UTF-8 text",
        "empty": "the file holds no document",
        "yaml-syntax": "the text is not valid YAML",
        "yaml-character": "the file holds a character YAML does not allow (a control character, for instance)",
        "yaml-documents": "the file holds more than one YAML document",
        "yaml-tag": "an explicit YAML tag (`!!python/...`, `!custom`) that is not a plain value type",
        "yaml-merge": "a YAML merge key (`<<`), which aiassure does not support",
        "yaml-alias": "an alias (`*name`) with no anchor before it",
        "yaml-anchor": "an anchor (`&name`) defined twice, which would make `*name` mean two things",
        "alias-bomb": "aliases that would expand to more nodes than the limit (a 'billion laughs' file)",
        "yaml-key": "a mapping key that is a list or a mapping, not a plain value",
        "yaml-value": "a tagged value that is not valid for its tag (`!!int abc`)",
        "number-too-long": "a number written with more characters than the limit",
        "too-deep": "lists and mappings nested deeper than the limit",
        "duplicate-key": "the same key given twice in one mapping",
        "json-syntax": "the text is not valid JSON",
        "not-a-mapping": "the document is not a mapping where one is required",
        "unknown-key": "a key that is not allowed at this place (the hint lists the allowed ones)",
        "missing-key": "a required key is missing",
        "invalid-value": "a value of the wrong type or outside what is allowed here",
        "too-many-errors": "so many problems at one place that the rest were not checked",
        "suggestions-capped": 'more unknown names than get a "did you mean" search; the rest are listed without one',
    },
    "Rubrics": {
        "unknown-rubric": "no rubric with this id (and version) on the rubric search path, or no such rubric file",
        "rubric-path": "a `rubric:` or `extends:` path that is absolute, climbs out of the folder of the file naming "
        "it or leads out of it through a symbolic link; it was not opened",
        "not-a-rubric": "a file named as a rubric by another file that is not a rubric; its content is not shown",
        "no-such-dir": "a --rubric-dir folder that does not exist",
        "invalid-rubric": "the rubric a submission names has errors of its own (listed for its file)",
        "rubric-id-reserved": "a rubric file taking the id of a built-in rubric, which only the built-in text carries",
        "rubric-conflict": "another text under an id@version already taken (on the search path or in the registry)",
        "extends-cycle": "rubrics that extend one another in a cycle",
        "extends-too-deep": "a chain of rubrics extending one another that is longer than the limit",
        "remove-without-extends": "`remove` in a rubric that extends no other",
        "unknown-criterion": "a criterion id that the rubric does not have",
        "bad-scale": "the level scale is not 0..N without gaps, with 1 <= N <= 10",
        "out-of-scale": "a level outside the rubric's scale",
        "duplicate-id": "two pillars, domains, criteria, options or outcomes share an id",
        "unknown-pillar": "a pillar id that the rubric does not define",
        "no-pillar": "a criterion with no pillar whose domain sets none either",
        "wrong-type-key": "a key that belongs to another criterion or option type",
        "text-not-scored": "a scoring key (gate, weight, evidence) on a text criterion, which is never scored",
        "recency-without-evidence": "`evidence_max_age_days` without `evidence_from`, so it has no effect",
        "missing-descriptor": "a level of the scale with no descriptor for a level criterion",
        "no-references": "a criterion that cites no published framework",
        "bad-condition": "an `applies_if` condition without exactly one of `in` or `at_least`",
        "applies-if-cycle": "`applies_if` conditions that depend on one another in a cycle",
        "unknown-option": "an option id that the criterion does not offer",
        "missing-options": "a choice or multi criterion without `options`",
        "reserved-id": "an option called `na`, which is the not-applicable answer",
        "bad-range": "a number criterion's range that is not [low, high] with low < high",
        "missing-thresholds": "a number criterion without the thresholds its direction needs",
        "thresholds-order": "thresholds whose bounds or levels are not strictly in order",
        "missing-elements": "a checklist criterion without `elements`",
        "checklist-gap": "checklist elements that never credit some levels of the scale",
        "empty-pillar": "a pillar that no criterion counts towards",
    },
    "Submissions and answers": {
        "rubric-not-submission": "the file is a rubric, given where a submission was expected",
        "waivers-not-submission": "the file is a waiver file, given where a submission was expected",
        "too-long": "a text longer than its field allows (docs/submission-format.md, Text fields)",
        "control-character": "a text holding a control, bidirectional-override or line-separator character, "
        "however the YAML wrote it (`\\0`, `\\x01`, `\\u202e`)",
        "round-in-future": "a round that has not begun: later than today's (`aiassure --today` pins today)",
        "assessed-in-future": "an `assessed_on` date after today",
        "assessed-off-round": "an `assessed_on` more rounds from its round than the margin allows (`--round-margin`)",
        "non-ascii-digits": "a round, date or version written with digits other than ASCII 0-9 (Arabic-Indic, "
        "fullwidth...)",
        "rubric-unpinned": "the submission names a rubric without a version; the newest was used",
        "subject-type": "the rubric assesses another kind of subject (organisation or technology)",
        "subject-incomplete": "a required subject field is empty",
        "unanswered": "a criterion with no answer (it counts as level 0)",
        "not-applicable": "an answer to a criterion that does not apply given the other answers; it is ignored",
        "invalid-answer": "an answer that is not a possible value of its criterion's type",
        "conflicting-keys": "an answer giving both `value` and `level`",
        "wrong-key": "`level` given for a criterion that is not a level criterion",
        "na-not-allowed": "`na` for a criterion that does not allow it",
        "na-without-reason": "`na` with no reason given",
        "reason-without-na": "`reason` or `approved_by` on an answer that is not `na`; they are ignored",
        "duplicate-option": "the same option listed twice in one answer",
        "evidence-target": "an evidence item without exactly one of `url` or `path`",
        "evidence-url": "an evidence URL that is not an http(s) address",
        "evidence-path": "an evidence path that is absolute, escapes the submission's folder or uses `\\`",
        "evidence-missing": "an evidence file that does not exist",
        "evidence-hash": "an evidence file whose SHA-256 is not the one given",
    },
    "Waivers": {
        "waiver-self-approved": "a waiver approved by its own requester: the approver must be someone else",
        "waiver-undecided": "a waiver approved, rejected, expired or revoked without its approver or the day of "
        "the decision",
        "waiver-expiry": "a waiver expiring on or before its approval, or more months after it than its rubric "
        "allows (12 unless the rubric says `waivers: {max_months: N}`)",
        "waiver-target": "a waiver of a criterion or gate its rubric does not have (or does not score): it never "
        "applies",
        "rescore-skipped": "a stored submission `registry refresh-waivers` could not score again from its bytes "
        "(its rubric is not on the search path, or no longer reads the same): its stored result stays as it is",
    },
    "Result files, PDF reports and other inputs": {
        "outside-folder": "a symbolic link inside a folder given that leads out of it (to a file or a folder); "
        "it was not read, and the rest of the folder was",
        "unknown-input": "a file whose kind (by its suffix) is not an accepted input",
        "not-a-result": "a JSON file that is not one result object",
        "result-schema": "a result_schema version this aiassure does not read",
        "rubric-fingerprint": "the result or response was made with a different text of the rubric than the one found",
        "criteria-mismatch": "the result's criteria are not those of its rubric, in its order",
        "score-mismatch": "a score the result records that its own answers do not give",
        "not-a-pdf": "a .pdf file that is not a readable PDF",
        "not-a-report": "a PDF that is not an aiassure report (no submission attached)",
        "attachment-name": "a PDF report whose embedded submission's name is not a plain base name (`/`, `\\`, `..`, "
        "a control character or empty); it is not read",
        "bad-result": "a PDF report whose attached result cannot be read or does not match the submission",
        "rejected": "an input the registry refused; the message says why",
        "not-stored": "an input the registry could not store; the message says why",
        "out-of-range": "an input holding an integer the registry cannot store (beyond ±2,147,483,647, such as a "
        "rubric's major version); that file is rejected and the batch goes on",
        "too-long-to-index": "an input whose identifier (subject code, round, rubric or criterion id...) is too long "
        "for the registry's indexes (over 400 bytes); that file is rejected and the batch goes on",
        "storage-refused": "the database refused to store an input (a constraint, a value it cannot hold); that file "
        "is rejected, nothing of it is stored, and the batch goes on",
        "result-without-submission": "a result file whose submission is not in the registry (a result is evidence)",
    },
    "FHIR questionnaire responses": {
        "fhir-invalid": "the resource is not a valid FHIR R4 QuestionnaireResponse",
        "entered-in-error": "the response is marked as entered in error, so it answers nothing",
        "response-incomplete": "the response is in progress or stopped: its unanswered questions count as unanswered",
        "not-a-questionnaire": "the file given as the Questionnaire is not a FHIR Questionnaire",
        "not-aiassure-questionnaire": "the response answers a Questionnaire that aiassure did not export",
        "questionnaire-mismatch": "the response answers another Questionnaire than the one given",
        "unknown-linkid": "a linkId that is not an item of the rubric's Questionnaire at this place",
        "too-many-answers": "several answers to an item that takes one",
        "wrong-answer-type": "an answer of another type than the item's",
        "not-in-value-set": "a coded answer that is not one of the item's options",
        "na-and-answer": "an item answered and marked not applicable",
        "none-and-answer": "'None of these' chosen together with other options",
        "invalid-date": "a date that is not YYYY-MM-DD",
        "missing-date": "the response does not say when the assessment was made",
        "missing-subject": "the response does not give a subject field the submission needs",
    },
    "The shared service (`aiassure serve`)": {
        "invalid-parameter": "a request parameter (query, path or body) that is missing or of the wrong type",
        "identity-mismatch": "a submission whose subject or assessing organisation is not the API key's organisation",
        "waiver-not-approved": "a report PDF whose result applies a waiver the registry holds no approved waiver "
        "for (of its subject, asked for by the organisation that submits it)",
        "waiver-conflict": "a waiver whose id the registry holds already, or a decision its status does not allow "
        "(only a requested waiver is approved or rejected, only an approved one revoked)",
    },
    "Reports and templates": {
        "template-syntax": "a report template that is not valid Jinja",
        "template-error": "a report template that failed while rendering (an unknown variable, a sandbox refusal, "
        "a division by zero, a range too big, a macro that recurses without end, memory)",
        "template-limit": "a --template-dir template that rendered for longer than --template-timeout or wrote "
        "more than --template-max-bytes",
        "action-plan-invalid": "a previous action plan (report --previous-plan) that is not the CSV report "
        "--action-plan writes: not UTF-8 or CSV, a column missing, a row of the wrong length, a status or "
        "target date not allowed, an action twice",
    },
    "Guided assessment (`aiassure assess`)": {
        "cannot-resume": "the answers file to resume has errors; it was left as it is",
    },
}

CODES: dict[str, str] = {code: meaning for section in SECTIONS.values() for code, meaning in section.items()}


def catalogue_markdown() -> str:
    """docs/diagnostics.md: every exit code and diagnostic code with its meaning."""
    lines = [
        "# Diagnostics and exit codes",
        "",
        "<!-- Generated from src/aiassure/codes.py by tests/test_codes.py (--update-goldens): edit that file. -->",
        "",
        "Every message aiassure prints about an input is a diagnostic: `file:line:column: severity code: message`,",
        "often with a `hint:` line saying what to do. The code is stable, so scripts and editors may match on it;",
        "`--strict` turns warnings into errors. Messages and hints are written with Markdown code spans: the",
        "SARIF log and the reports keep them as code, and the terminal shows them without their backticks",
        "(`errors.terminal_text`, which `--help` goes through too).",
        "",
        *_limits_prose(),
        "## Exit codes",
        "",
        "| exit code | meaning |",
        "|---|---|",
        *(f"| {int(code)} | {meaning} |" for code, meaning in EXIT_MEANINGS.items()),
        "",
        "## Diagnostic codes",
    ]
    for title, codes in SECTIONS.items():
        lines += ["", f"### {title}", "", "| code | meaning |", "|---|---|"]
        lines += [f"| `{code}` | {_cell(meaning)} |" for code, meaning in codes.items()]
    return "\n".join(lines) + "\n"


def _limits_prose() -> list[str]:
    """The paragraph on the bounds that keep a hostile file's diagnostics quick to make."""
    from .diagnose import LONGEST_WORD, MAX_DIAGNOSTICS, MAX_SUGGESTIONS, SHORTLIST, SHORTLIST_ABOVE

    return [
        f"A file gets at most {MAX_DIAGNOSTICS:,} diagnostics at one place and then one `too-many-errors`. "
        '"Did you mean" hints',
        f"are searched for the first {MAX_SUGGESTIONS} unknown names of a file (criteria, option ids, "
        "linkIds, rubric references); the ones",
        "after that are still each reported, without a hint, and one `suggestions-capped` warning says how "
        "many got none.",
        f"Against more than {SHORTLIST_ABOVE} candidates (a large rubric's criteria), a search compares only "
        f"the {SHORTLIST} that share most",
        f"of the name's rarest character pairs, and a name over {LONGEST_WORD} characters is not searched. "
        "So a file with thousands of",
        "unknown ids against a 10,000-criterion rubric is refused in about the time its valid twin takes to "
        "check (docs/performance.md).",
        "",
    ]


def _cell(text: str) -> str:
    """Text for a Markdown table cell: a `|` would end the cell."""
    return text.replace("|", "\\|")

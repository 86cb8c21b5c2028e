"""Mechanical checks of the built-in rubric content and the shipped examples.

These tests read the YAML directly (PyYAML and pathlib only, no engine imports), so they guard the
*content*: coverage of the statutory must-haves, descriptors, crosswalk, pillar balance, and
example submissions that stay valid against the rubrics they name.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from aiassure.assessments.model import NHS_REGIONS
from aiassure.assessments.model import ORG_TYPES as MODEL_ORG_TYPES

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ROOT / "src" / "aiassure" / "rubrics" / "library"
EXAMPLES = ROOT / "examples"
DOCS = ROOT / "docs" / "rubrics.md"

RUBRIC_IDS = ["nhs-ai-technology", "nhs-ai-readiness"]
SCALE = range(0, 6)
TOP = 5
TYPES = {"level", "yes_no", "choice", "multi", "number", "checklist", "text"}
FRAMEWORKS = {
    "DTAC",
    "DCB0129",
    "DCB0160",
    "NICE-ESF",
    "DSPT",
    "DMA-WGLL",
    "Buyers-Guide",
    "NIST-AI-RMF",
    "ISO-42001",
    "ALTAI",
    "CHAI",
    "FUTURE-AI",
    "UK-GDPR",
    "ATRS",
    "NHS-Service-Standard",
    "WCAG",
}
# The only criteria with a real exemption that justifies `na` (see docs/rubrics.md).
EXEMPTIONS = {
    "nhs-ai-technology": {"cs-04", "dp-01", "dp-02", "dp-03"},  # no third-party parts, ICO fee, no personal data
    "nhs-ai-readiness": {"mi-03"},  # no AI medical device in use
}
TOP_KEYS = {
    "id",
    "version",
    "title",
    "subject",
    "description",
    "publisher",
    "extends",
    "remove",
    "scale",
    "pillars",
    "overall",
    "domains",
    "outcomes",
}
DOMAIN_KEYS = {"id", "title", "pillar", "description", "criteria"}
COMMON_KEYS = {
    "id",
    "question",
    "guidance",
    "pillar",
    "type",
    "weight",
    "levels",
    "allow_na",
    "evidence_from",
    "evidence_max_age_days",
    "applies_if",
    "gate",
    "references",
}
TYPE_KEYS = {
    "level": set(),
    "yes_no": {"yes_level", "no_level"},
    "choice": {"options"},
    "multi": {"options", "thresholds"},
    "number": {"thresholds", "direction", "unit", "range"},
    "checklist": {"elements"},
    "text": set(),
}
PUBLISHER_KEYS = {"publisher", "licence", "effective_date", "locale", "changelog"}
OUTCOME_KEYS = {"id", "label", "description", "when"}
WHEN_KEYS = {"overall_at_least", "pillars_at_least", "no_failed_gates", "min_completeness"}
PILLARS = {"safe", "ethical", "effective"}
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")

SUBMISSION_KEYS = {"rubric", "subject", "round", "assessed_on", "assessors", "answers"}
OPTIONAL_SUBMISSION_KEYS = {"assessed_by"}  # an organisation assessing a product it deploys
ASSESSED_BY_KEYS = {"name", "code", "org_type"}
SUBJECT_KEYS = {"type", "name", "code", "org_type", "region"}
TECH_SUBJECT_KEYS = {"version", "supplier", "intended_use", "device_class"}
LONG_FORM_KEYS = {"value", "level", "notes", "evidence", "owner", "reason", "approved_by"}
EVIDENCE_KEYS = {"title", "url", "path", "sha256", "date"}
ORG_TYPES = set(MODEL_ORG_TYPES)
REGIONS = set(NHS_REGIONS)
ROUND_WINDOWS = {
    "2026-Q2": (dt.date(2026, 5, 1), dt.date(2026, 6, 30)),
    "2026-Q4": (dt.date(2026, 10, 1), dt.date(2026, 11, 30)),
}
USE_FAMILIES = {"home-monitoring", "diagnostic-support", "population-health", "operational", "social-care-prediction"}
DEVICE_CLASSES = {"not-a-device", "class-i", "class-iia", "class-iib", "class-iii"}


# -- loading -------------------------------------------------------------------------------------


def _duplicate_keys(node: yaml.Node, where: str = "") -> list[str]:
    """Duplicate mapping keys anywhere in a composed YAML node tree (safe_load silently keeps the last)."""
    found: list[str] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                found.append(f"{where}.{name} (line {key.start_mark.line + 1})")
            seen.add(name)
            found.extend(_duplicate_keys(value, f"{where}.{name}"))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found.extend(_duplicate_keys(item, f"{where}[{index}]"))
    return found


def load(path: Path) -> dict:
    """Parsed YAML, cached: the tests only read what it returns, never change it."""
    return _load(str(path.resolve()))


@functools.cache
def _load(path: str) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def rubric(rubric_id: str) -> dict:
    return load(LIBRARY / f"{rubric_id}.yaml")


def criteria(data: dict) -> list[tuple[dict, dict]]:
    """(domain, criterion) pairs in rubric order."""
    return [(d, c) for d in data["domains"] for c in d.get("criteria") or []]


def by_id(data: dict) -> dict[str, dict]:
    return {c["id"]: c for _, c in criteria(data)}


def pillar_of(domain: dict, crit: dict) -> str:
    return crit.get("pillar") or domain.get("pillar")


def refs(crit: dict) -> list[tuple[str, str]]:
    return [(r["framework"], str(r["id"])) for r in crit.get("references") or []]


def is_scored(crit: dict) -> bool:
    return crit.get("type", "level") != "text" and crit.get("weight", 1) > 0


def resolve(ref: str, relative_to: Path) -> dict:
    """A rubric by `id@version` from the library, or by a path (resolving `extends`)."""
    if ref.endswith((".yaml", ".yml")):
        data = load(relative_to / ref)
    else:
        ident, _, version = ref.partition("@")
        data = rubric(ident)
        assert str(data["version"]) == version, f"{ref}: library has version {data['version']}"
    if "extends" in data:
        data = merge(resolve(data["extends"], relative_to), data)
    return data


def merge(base: dict, ext: dict) -> dict:
    """SPEC 3.6: domains merged by id, `remove` applied, other fields replaced."""
    out = {k: v for k, v in base.items()}
    domains = [dict(d, criteria=list(d.get("criteria") or [])) for d in base["domains"]]
    index = {d["id"]: d for d in domains}
    for key, value in ext.items():
        if key in ("extends", "remove", "domains"):
            continue
        out[key] = value
    for domain in ext.get("domains") or []:
        if domain["id"] in index:
            target = index[domain["id"]]
            for key, value in domain.items():
                if key == "criteria":
                    target["criteria"].extend(value)
                elif key != "id":
                    target[key] = value
        else:
            domains.append(domain)
    drop = set(ext.get("remove") or [])
    for domain in domains:
        domain["criteria"] = [c for c in domain["criteria"] if c["id"] not in drop]
    out["domains"] = domains
    return out


def submission_files() -> list[Path]:
    files = sorted(EXAMPLES.rglob("*.yaml"))
    return [f for f in files if "rubric" in (load(f) or {})]


SUBMISSIONS = submission_files()
ALL_YAML = sorted(LIBRARY.glob("*.yaml")) + sorted(EXAMPLES.rglob("*.yaml"))


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def example_stem(sub: dict) -> str:
    """`<code>`, or `<code>-by-<assessor code>` for an organisation's assessment of a product."""
    assessor = sub.get("assessed_by")
    return sub["subject"]["code"] + (f"-by-{assessor['code']}" if assessor else "")


def own_submissions(round_: str) -> dict[str, dict]:
    """A round's examples that their subject made itself (no `assessed_by`), by file stem."""
    found = {p.stem: load(p) for p in (EXAMPLES / round_).glob("*.yaml")}
    return {stem: sub for stem, sub in found.items() if "assessed_by" not in sub}


# -- rubric structure ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ALL_YAML, ids=_rel)
def test_yaml_has_no_duplicate_keys(path: Path) -> None:
    node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    assert not _duplicate_keys(node), f"duplicate keys in {path.name}: {_duplicate_keys(node)}"


@pytest.mark.parametrize("rid", RUBRIC_IDS)
def test_top_level_and_provenance(rid: str) -> None:
    data = rubric(rid)
    assert set(data) <= TOP_KEYS
    assert data["id"] == rid
    assert str(data["version"]) == "1.0.0"
    assert data["subject"] == ("technology" if rid == "nhs-ai-technology" else "organisation")
    assert data["title"] and data["description"].strip()
    publisher = data["publisher"]
    assert set(publisher) <= PUBLISHER_KEYS
    assert publisher["publisher"] == "aiassure project"
    assert publisher["licence"] == "CC-BY-4.0"
    assert str(publisher["effective_date"]) == "2026-10-01"
    assert publisher["locale"] == "en-GB"
    assert publisher["changelog"]
    assert {p["id"] for p in data.get("pillars", [])} in (set(), PILLARS)
    assert data.get("overall", {"method": "min"}) == {"method": "min"}


@pytest.mark.parametrize("rid", RUBRIC_IDS)
def test_between_30_and_40_criteria(rid: str) -> None:
    assert 30 <= len(criteria(rubric(rid))) <= 40


@pytest.mark.parametrize("rid", RUBRIC_IDS)
def test_ids_unique_and_slugs(rid: str) -> None:
    data = rubric(rid)
    domain_ids = [d["id"] for d in data["domains"]]
    crit_ids = [c["id"] for _, c in criteria(data)]
    assert len(domain_ids) == len(set(domain_ids))
    assert len(crit_ids) == len(set(crit_ids)), [i for i, n in Counter(crit_ids).items() if n > 1]
    assert all(SLUG.match(i) for i in domain_ids + crit_ids)
    for _, crit in criteria(data):
        for key in ("options", "elements"):
            ids = [item["id"] for item in crit.get(key) or []]
            assert len(ids) == len(set(ids)), crit["id"]
            assert all(SLUG.match(i) for i in ids), crit["id"]


@pytest.mark.parametrize("rid", RUBRIC_IDS)
def test_domains_and_criteria_use_only_known_keys(rid: str) -> None:
    for domain in rubric(rid)["domains"]:
        assert set(domain) <= DOMAIN_KEYS and domain["title"] and domain["pillar"] in PILLARS
        assert domain["criteria"], domain["id"]
    for domain, crit in criteria(rubric(rid)):
        ctype = crit.get("type", "level")
        assert ctype in TYPES, crit["id"]
        assert set(crit) <= COMMON_KEYS | TYPE_KEYS[ctype], (crit["id"], set(crit) - COMMON_KEYS - TYPE_KEYS[ctype])
        assert pillar_of(domain, crit) in PILLARS, crit["id"]
        assert crit.get("weight", 1) >= 0


@pytest.mark.parametrize("rid", RUBRIC_IDS)
def test_every_criterion_has_question_guidance_and_references(rid: str) -> None:
    for _, crit in criteria(rubric(rid)):
        assert crit["question"].strip(), crit["id"]
        assert len(crit.get("guidance", "").strip()) >= 80, (
            f"{crit['id']}: guidance should say what good evidence looks like"
        )
        assert crit.get("references"), f"{crit['id']} has no references"
        for reference in crit["references"]:
            assert set(reference) <= {"framework", "id", "title", "url"}
            assert reference["framework"] in FRAMEWORKS, f"{crit['id']}: unknown framework {reference['framework']!r}"
            assert str(reference["id"]).strip()


@pytest.mark.parametrize("rid", RUBRIC_IDS)
def test_level_descriptors(rid: str) -> None:
    for _, crit in criteria(rubric(rid)):
        levels = crit.get("levels") or {}
        assert set(levels) <= set(SCALE), f"{crit['id']}: descriptor keys outside 0..5"
        assert all(isinstance(text, str) and text.strip() for text in levels.values()), crit["id"]
        if crit.get("type", "level") == "level":
            assert set(levels) == set(SCALE), f"{crit['id']}: missing descriptors for {set(SCALE) - set(levels)}"
            assert len(set(levels.values())) == len(levels), f"{crit['id']}: repeated descriptor"
        if crit.get("type") == "text":
            assert not levels and "gate" not in crit and "evidence_from" not in crit


@pytest.mark.parametrize("rid", RUBRIC_IDS)
def test_checklists_are_cumulative_and_complete(rid: str) -> None:
    checklists = [c for _, c in criteria(rubric(rid)) if c.get("type") == "checklist"]
    assert len(checklists) >= 3
    for crit in checklists:
        levels = [e["level"] for e in crit["elements"]]
        assert all(1 <= lvl <= TOP for lvl in levels), crit["id"]
        assert set(levels) == set(range(1, TOP + 1)), (
            f"{crit['id']}: no element at {set(range(1, TOP + 1)) - set(levels)}"
        )
        assert levels == sorted(levels), f"{crit['id']}: elements should be listed in level order"
        assert all(e["text"].strip() for e in crit["elements"])


@pytest.mark.parametrize("rid", RUBRIC_IDS)
def test_options_and_thresholds(rid: str) -> None:
    for _, crit in criteria(rubric(rid)):
        ctype = crit.get("type", "level")
        if ctype == "choice":
            assert len(crit["options"]) >= 2
            assert all(o["level"] in SCALE and "points" not in o and o["label"] for o in crit["options"]), crit["id"]
        if ctype == "multi":
            assert all(o.get("points", 1) > 0 and "level" not in o and o["label"] for o in crit["options"]), crit["id"]
            mins = [t["min"] for t in crit["thresholds"]]
            assert mins == sorted(set(mins)), crit["id"]
            assert sum(o.get("points", 1) for o in crit["options"]) >= mins[-1], f"{crit['id']}: top unreachable"
        if ctype in ("multi", "number"):
            lvls = [t["level"] for t in crit["thresholds"]]
            assert lvls == sorted(set(lvls)) and all(1 <= lvl <= TOP for lvl in lvls), crit["id"]
        if ctype == "number":
            if crit.get("direction") == "lower_is_better":
                bounds = [t["max"] for t in crit["thresholds"]]
                assert all(a > b for a, b in zip(bounds, bounds[1:], strict=False)), (
                    f"{crit['id']}: max must strictly decrease"
                )
                assert all("min" not in t for t in crit["thresholds"])
            else:
                bounds = [t["min"] for t in crit["thresholds"]]
                assert all(a < b for a, b in zip(bounds, bounds[1:], strict=False)), crit["id"]
            if "range" in crit:
                low, high = crit["range"]
                assert low < high and all(low <= b <= high for b in bounds), crit["id"]


def test_library_uses_every_criterion_type_and_both_number_directions() -> None:
    all_crits = [c for rid in RUBRIC_IDS for _, c in criteria(rubric(rid))]
    assert {c.get("type", "level") for c in all_crits} == TYPES
    numbers = [c for c in all_crits if c.get("type") == "number"]
    assert any(
        c.get("direction", "higher_is_better") == "higher_is_better"
        and c.get("unit") == "%"
        and c.get("range") == [0, 100]
        for c in numbers
    )
    assert any(c.get("direction") == "lower_is_better" for c in numbers)
    multis = [c for c in all_crits if c.get("type") == "multi"]
    assert any(len({o.get("points", 1) for o in c["options"]}) > 1 for c in multis), "multi should use points"


@pytest.mark.parametrize("rid", RUBRIC_IDS)
def test_pillar_balance(rid: str) -> None:
    counts = Counter(pillar_of(d, c) for d, c in criteria(rubric(rid)) if is_scored(c))
    total = sum(counts.values())
    for pillar in PILLARS:
        assert counts[pillar] / total >= 0.25, f"{pillar}: {counts[pillar]} of {total}"


@pytest.mark.parametrize("rid", RUBRIC_IDS)
def test_applies_if_references_exist_and_are_acyclic(rid: str) -> None:
    crits = by_id(rubric(rid))
    for crit in crits.values():
        for cond in crit.get("applies_if") or []:
            assert set(cond) in ({"criterion", "in"}, {"criterion", "at_least"}), crit["id"]
            target = crits.get(cond["criterion"])
            assert target is not None and target["id"] != crit["id"], f"{crit['id']}: bad reference {cond['criterion']}"
            if "in" in cond and target.get("type") == "choice":
                assert set(cond["in"]) <= {o["id"] for o in target["options"]}, crit["id"]
            if "at_least" in cond:
                assert cond["at_least"] in SCALE
    state: dict[str, int] = {}

    def visit(ident: str) -> None:
        assert state.get(ident) != 1, f"applies_if cycle through {ident}"
        if state.get(ident) == 2:
            return
        state[ident] = 1
        for cond in crits[ident].get("applies_if") or []:
            visit(cond["criterion"])
        state[ident] = 2

    for ident in crits:
        visit(ident)


@pytest.mark.parametrize("rid", RUBRIC_IDS)
def test_na_is_allowed_only_for_real_exemptions(rid: str) -> None:
    allowed = {c["id"] for _, c in criteria(rubric(rid)) if c.get("allow_na")}
    assert allowed == EXEMPTIONS[rid]
    for ident in allowed:
        assert "exemption" in by_id(rubric(rid))[ident]["guidance"].lower(), (
            f"{ident}: guidance must state the exemption"
        )


@pytest.mark.parametrize("rid", RUBRIC_IDS)
def test_recency_on_pen_tests_cyber_essentials_and_dspt(rid: str) -> None:
    dated = [
        c
        for _, c in criteria(rubric(rid))
        if re.search(r"penetration test|cyber essentials|security and protection toolkit", c["question"], re.I)
        or {("DTAC", "C3.1"), ("DTAC", "C3.2"), ("DTAC", "C2.3.1")} & set(refs(c))
    ]
    assert dated
    for crit in dated:
        assert crit.get("evidence_max_age_days") == 365, crit["id"]
        assert crit.get("evidence_from"), crit["id"]


def _gated(crits: list[dict], predicate) -> list[dict]:
    matching = [c for c in crits if predicate(c)]
    assert matching, "no criterion matches"
    return [c for c in matching if c.get("gate")]


@pytest.mark.parametrize("rid", RUBRIC_IDS)
def test_statutory_must_haves_are_gates(rid: str) -> None:
    crits = [c for _, c in criteria(rubric(rid))]
    safety = "DCB0129" if rid == "nhs-ai-technology" else "DCB0160"
    assert _gated(crits, lambda c: any(f == safety for f, _ in refs(c))), f"{safety} is not a gate"
    assert _gated(crits, lambda c: {("UK-GDPR", "Art 35"), ("DTAC", "C2.3.2")} & set(refs(c))), "DPIA is not a gate"
    assert _gated(crits, lambda c: any(f == "DSPT" for f, _ in refs(c)) and "DSPT" in c["question"]), (
        "DSPT is not a gate"
    )
    if rid == "nhs-ai-technology":
        mhra = _gated(crits, lambda c: ("DTAC", "C1.3") in refs(c) and c.get("applies_if"))
        assert mhra, "MHRA registration is not a gate"
        for crit in mhra:
            conds = [k for k in crit["applies_if"] if k["criterion"] == "device-class"]
            assert conds and "not-a-device" not in conds[0]["in"], crit["id"]
    for crit in crits:
        if crit.get("gate"):
            gate = crit["gate"]
            assert set(gate) == {"min_level", "cap", "scope"}
            assert 1 <= gate["min_level"] <= TOP and 0 <= gate["cap"] < gate["min_level"], crit["id"]
            assert gate["scope"] in {"domain", "pillar", "overall"}
            assert crit.get("evidence_from"), f"{crit['id']}: gated claims need evidence"


def test_gates_use_every_scope() -> None:
    scopes = {c["gate"]["scope"] for rid in RUBRIC_IDS for _, c in criteria(rubric(rid)) if c.get("gate")}
    assert scopes == {"domain", "pillar", "overall"}


def test_crosswalk_covers_dtac_and_clinical_safety_standards() -> None:
    by_rubric = {rid: {r for _, c in criteria(rubric(rid)) for r in refs(c)} for rid in RUBRIC_IDS}
    dtac = {i for f, i in by_rubric["nhs-ai-technology"] if f == "DTAC"}
    for prefix in ("C1", "C2", "C3", "C4", "D1"):
        assert any(i == prefix or i.startswith(prefix + ".") for i in dtac), f"DTAC {prefix} not covered"
    assert any(f == "DCB0129" for f, _ in by_rubric["nhs-ai-technology"])
    assert any(f == "DCB0160" for f, _ in by_rubric["nhs-ai-readiness"])
    assert {f for refs_ in by_rubric.values() for f, _ in refs_} == FRAMEWORKS


def test_technology_profile_questions_drive_applicability() -> None:
    crits = by_id(rubric("nhs-ai-technology"))
    for ident, expected in (
        ("intended-use", USE_FAMILIES),
        ("device-class", DEVICE_CLASSES),
        ("nice-tier", {"tier-a", "tier-b", "tier-c"}),
    ):
        crit = crits[ident]
        assert crit["type"] == "choice" and crit["weight"] == 0
        assert {o["id"] for o in crit["options"]} == expected
        assert all(o["level"] == TOP for o in crit["options"]), (
            f"{ident}: profile answers should never reach the roadmap"
        )
    conditions = [
        (c["id"], k["criterion"], tuple(k.get("in", ()))) for c in crits.values() for k in c.get("applies_if") or []
    ]
    assert any(t == "nice-tier" and v == ("tier-c",) for _, t, v in conditions), "a tier C only standard"
    assert any(t == "nice-tier" and set(v) == {"tier-b", "tier-c"} for _, t, v in conditions), (
        "standards not for tier A"
    )
    assert any(t == "device-class" and v == ("not-a-device",) for _, t, v in conditions)
    assert {v for _, t, vs in conditions if t == "intended-use" for v in vs} >= {
        "home-monitoring",
        "population-health",
        "social-care-prediction",
    }


def test_readiness_stage_drives_deployment_questions() -> None:
    crits = by_id(rubric("nhs-ai-readiness"))
    assert crits["ai-stage"]["type"] == "choice" and crits["ai-stage"]["weight"] == 0
    gated_on_stage = [c for c in crits.values() if any(k["criterion"] == "ai-stage" for k in c.get("applies_if") or [])]
    assert len(gated_on_stage) >= 3


@pytest.mark.parametrize("rid", RUBRIC_IDS)
def test_outcomes(rid: str) -> None:
    outcomes = rubric(rid)["outcomes"]
    assert [o["id"] for o in outcomes] == ["ready-to-scale", "ready-with-conditions", "not-yet-ready"]
    for outcome in outcomes:
        assert set(outcome) <= OUTCOME_KEYS and outcome["label"] and outcome["description"]
        assert set(outcome["when"]) <= WHEN_KEYS
        assert set(outcome["when"].get("pillars_at_least", {})) <= PILLARS
    assert outcomes[-1]["when"] == {}
    assert all(o["when"].get("no_failed_gates") for o in outcomes[:-1])


def test_docs_have_the_crosswalk_markers() -> None:
    text = DOCS.read_text(encoding="utf-8")
    start, end = "<!-- crosswalk:start -->", "<!-- crosswalk:end -->"
    assert text.count(start) == 1 and text.count(end) == 1
    assert text.index(start) < text.index(end)


# -- examples -----------------------------------------------------------------------------------


def claimed_level(crit: dict, value) -> int | None:
    """The level an answer claims (SPEC 3), or None for text."""
    ctype = crit.get("type", "level")
    if ctype == "level":
        return value
    if ctype == "yes_no":
        return crit.get("yes_level", TOP) if value == "yes" else crit.get("no_level", 0)
    if ctype == "choice":
        return next(o["level"] for o in crit["options"] if o["id"] == value)
    if ctype == "multi":
        total = sum(o.get("points", 1) for o in crit["options"] if o["id"] in value)
        return max([t["level"] for t in crit["thresholds"] if t["min"] <= total], default=0)
    if ctype == "number":
        if crit.get("direction") == "lower_is_better":
            return max([t["level"] for t in crit["thresholds"] if value <= t["max"]], default=0)
        return max([t["level"] for t in crit["thresholds"] if value >= t["min"]], default=0)
    if ctype == "checklist":
        level = 0
        for lvl in range(1, TOP + 1):
            needed = [e["id"] for e in crit["elements"] if e["level"] == lvl]
            if not needed or not set(needed) <= set(value):
                break
            level = lvl
        return level
    return None


def split(answer) -> tuple[object, dict]:
    """(raw value, long-form extras) with YAML booleans read as yes/no."""
    extras: dict = {}
    if isinstance(answer, dict):
        extras = answer
        answer = answer.get("level", answer.get("value"))
    if answer is True:
        answer = "yes"
    elif answer is False:
        answer = "no"
    return answer, extras


def applicable(data: dict, answers: dict) -> dict[str, bool]:
    """SPEC 4.2: every condition must hold; an unanswered, na or inapplicable reference is false."""
    crits = by_id(data)
    result: dict[str, bool] = {}

    def check(ident: str) -> bool:
        if ident not in result:
            ok = True
            for cond in crits[ident].get("applies_if") or []:
                target = cond["criterion"]
                raw, _ = split(answers.get(target))
                if not check(target) or raw is None or raw == "na":
                    ok = False
                elif "in" in cond:
                    ok = ok and raw in cond["in"]
                else:
                    ok = ok and claimed_level(crits[target], raw) >= cond["at_least"]
            result[ident] = ok
        return result[ident]

    for ident in crits:
        check(ident)
    return result


def evidence_counts(crit: dict, extras: dict, assessed_on: dt.date) -> bool:
    items = extras.get("evidence") or []
    max_age = crit.get("evidence_max_age_days")
    if max_age is None:
        return bool(items)
    return any(i.get("date") and (assessed_on - i["date"]).days <= max_age for i in items)


def credited(data: dict, sub: dict) -> dict[str, int | None]:
    """Credited level per applicable scored criterion (None when na); unanswered counts 0."""
    answers = sub.get("answers") or {}
    apply = applicable(data, answers)
    out: dict[str, int | None] = {}
    for _, crit in criteria(data):
        if not apply[crit["id"]] or crit.get("type") == "text":
            continue
        raw, extras = split(answers.get(crit["id"]))
        if raw == "na":
            out[crit["id"]] = None
            continue
        level = 0 if raw is None else claimed_level(crit, raw)
        floor = crit.get("evidence_from")
        if raw is not None and floor and level >= floor and not evidence_counts(crit, extras, sub["assessed_on"]):
            level = floor - 1
        out[crit["id"]] = level
    return out


def pillar_scores(data: dict, levels: dict[str, int | None]) -> dict[str, float]:
    sums: Counter = Counter()
    weights: Counter = Counter()
    for domain, crit in criteria(data):
        if levels.get(crit["id"]) is not None:
            weight = crit.get("weight", 1)
            sums[pillar_of(domain, crit)] += weight * levels[crit["id"]]
            weights[pillar_of(domain, crit)] += weight
    return {p: sums[p] / weights[p] for p in PILLARS if weights[p]}


def failed_gates(data: dict, levels: dict[str, int | None]) -> list[str]:
    return [
        c["id"]
        for _, c in criteria(data)
        if c.get("gate")
        and c["id"] in levels
        and levels[c["id"]] is not None
        and levels[c["id"]] < c["gate"]["min_level"]
    ]


@pytest.mark.parametrize("path", SUBMISSIONS, ids=_rel)
def test_example_envelope(path: Path) -> None:
    sub = load(path)
    data = resolve(sub["rubric"], path.parent)
    assert set(sub) <= SUBMISSION_KEYS | OPTIONAL_SUBMISSION_KEYS and set(SUBMISSION_KEYS) - {"answers"} <= set(sub)
    subject = sub["subject"]
    assert subject["type"] == data["subject"]
    assert subject["org_type"] in ORG_TYPES and subject["region"] in REGIONS
    assert subject["name"] and subject["code"]
    if subject["type"] == "technology":
        assert set(subject) <= SUBJECT_KEYS | TECH_SUBJECT_KEYS and subject["org_type"] == "vendor"
        assert set(subject["supplier"]) == {"name", "code"} and isinstance(subject["version"], str)
        assert subject["intended_use"] == sub["answers"]["intended-use"]
        assert subject["device_class"] == sub["answers"]["device-class"]
        assert subject["code"].startswith("PRD-")
    else:
        assert set(subject) <= SUBJECT_KEYS and subject["org_type"] != "vendor"
    assert re.fullmatch(r"\d{4}-Q[1-4]", sub["round"])
    if path.parent.name in ROUND_WINDOWS:
        assert sub["round"] == path.parent.name and path.stem == example_stem(sub)
    low, high = ROUND_WINDOWS[sub["round"]]
    assert isinstance(sub["assessed_on"], dt.date) and low <= sub["assessed_on"] <= high
    assert sub["assessors"] and all(set(a) == {"name", "role"} for a in sub["assessors"])


@pytest.mark.parametrize("path", SUBMISSIONS, ids=_rel)
def test_example_answers_are_valid(path: Path) -> None:
    sub = load(path)
    data = resolve(sub["rubric"], path.parent)
    crits = by_id(data)
    answers = sub["answers"]
    apply = applicable(data, answers)
    for ident, answer in answers.items():
        assert ident in crits, f"{ident} is not a criterion of {data['id']}"
        crit = crits[ident]
        ctype = crit.get("type", "level")
        assert apply[ident], f"{ident} is answered but not applicable"
        raw, extras = split(answer)
        assert set(extras) <= LONG_FORM_KEYS
        assert "level" not in extras or ctype == "level", ident
        if raw == "na":
            assert crit.get("allow_na"), f"{ident} does not allow na"
            assert extras.get("reason") and extras.get("approved_by"), f"{ident}: na needs a reason and approver"
            continue
        assert not extras.get("reason"), f"{ident}: reason is only for na"
        if ctype == "level":
            assert isinstance(raw, int) and raw in SCALE, ident
        elif ctype == "yes_no":
            assert raw in ("yes", "no"), ident
        elif ctype == "choice":
            assert raw in {o["id"] for o in crit["options"]}, ident
        elif ctype in ("multi", "checklist"):
            ids = {o["id"] for o in crit.get("options") or crit.get("elements")}
            assert isinstance(raw, list) and len(raw) == len(set(raw)) and set(raw) <= ids, ident
        elif ctype == "number":
            assert isinstance(raw, (int, float)) and not isinstance(raw, bool), ident
            if "range" in crit:
                assert crit["range"][0] <= raw <= crit["range"][1], ident
        else:
            assert isinstance(raw, str) and raw.strip(), ident
        for item in extras.get("evidence") or []:
            assert set(item) <= EVIDENCE_KEYS and item["title"] and isinstance(item.get("date"), dt.date)
            assert ("url" in item) != ("path" in item), ident
            if "url" in item:
                assert item["url"].startswith("https://"), ident
            else:
                target = (path.parent / item["path"]).resolve()
                assert target.is_relative_to(path.parent.resolve()) and target.is_file(), item["path"]
            assert item["date"] <= sub["assessed_on"], f"{ident}: evidence dated after the assessment"


def test_examples_cover_organisations_regions_and_use_families() -> None:
    rounds = {name: own_submissions(name) for name in ROUND_WINDOWS}
    assert set(rounds["2026-Q2"]) == set(rounds["2026-Q4"]), "every subject is answered in both rounds"
    subs = list(rounds["2026-Q4"].values())
    orgs = [s["subject"] for s in subs if s["subject"]["type"] == "organisation"]
    techs = [s["subject"] for s in subs if s["subject"]["type"] == "technology"]
    assert len(orgs) >= 7 and {o["org_type"] for o in orgs} >= ORG_TYPES - {"care-provider", "vendor", "other"}
    assert {o["region"] for o in orgs} == REGIONS
    assert len(techs) >= 5 and {t["intended_use"] for t in techs} == USE_FAMILIES


def test_examples_exercise_the_rubric_features() -> None:
    """na, stale evidence, path evidence, unanswered, not-applicable answers, regressions and improvements."""
    features: Counter = Counter()
    by_round: dict[str, dict[str, tuple[dict, dict]]] = {r: {} for r in ROUND_WINDOWS}
    for path in SUBMISSIONS:
        sub = load(path)
        data = resolve(sub["rubric"], path.parent)
        crits = by_id(data)
        apply = applicable(data, sub["answers"])
        features["not-applicable"] += sum(1 for a in apply.values() if not a)
        features["unanswered"] += sum(
            1 for i, a in apply.items() if a and i not in sub["answers"] and crits[i].get("type") != "text"
        )
        for ident, answer in sub["answers"].items():
            raw, extras = split(answer)
            features["na"] += raw == "na"
            for item in extras.get("evidence") or []:
                features["path"] += "path" in item
                max_age = crits[ident].get("evidence_max_age_days")
                features["stale"] += bool(max_age and (sub["assessed_on"] - item["date"]).days > max_age)
        if path.parent.name in by_round:
            by_round[path.parent.name][path.stem] = (data, sub)
    assert all(features[k] for k in ("not-applicable", "unanswered", "na", "path", "stale")), features
    directions = Counter()
    for stem, (data, q4) in by_round["2026-Q4"].items():
        if stem not in by_round["2026-Q2"]:  # an organisation's assessment made in the later round only
            continue
        data2, q2 = by_round["2026-Q2"][stem]
        before, after = credited(data2, q2), credited(data, q4)
        for ident in set(before) & set(after):
            if before[ident] is not None and after[ident] is not None and before[ident] != after[ident]:
                directions["up" if after[ident] > before[ident] else "down"] += 1
    assert directions["up"] and directions["down"]


def test_examples_include_a_scaling_candidate_and_organisations_needing_support() -> None:
    latest = {p.stem: load(p) for p in (EXAMPLES / "2026-Q4").glob("*.yaml")}
    strong = latest["PRD-CXRTRIAGE"]
    data = resolve(strong["rubric"], EXAMPLES / "2026-Q4")
    levels = credited(data, strong)
    apply = applicable(data, strong["answers"])
    assert all(ident in strong["answers"] for ident, a in apply.items() if a), (
        "the scaling candidate answers everything"
    )
    assert not failed_gates(data, levels)
    assert all(score >= 3 for score in pillar_scores(data, levels).values())
    needing_support = []
    for code, sub in latest.items():
        if sub["subject"]["type"] == "organisation":
            data = resolve(sub["rubric"], EXAMPLES / "2026-Q4")
            if failed_gates(data, credited(data, sub)):
                needing_support.append(code)
    assert len(needing_support) >= 2, needing_support


def test_organisations_assessing_products_are_shipped_organisations() -> None:
    """An organisation's assessment of a product copies the supplier's subject block exactly and
    names, as `assessed_by`, an organisation that has its own example in that round; in one round two
    organisations assess one product, so the portfolio counts more than one."""
    assessing: Counter = Counter()
    for round_ in ROUND_WINDOWS:
        own = own_submissions(round_)
        organisations = {
            s["subject"]["code"]: s["subject"] for s in own.values() if s["subject"]["type"] == "organisation"
        }
        for path in sorted((EXAMPLES / round_).glob("*-by-*.yaml")):
            sub = load(path)
            assessor, subject = sub["assessed_by"], sub["subject"]
            assert set(assessor) <= ASSESSED_BY_KEYS and {"name", "code"} <= set(assessor), path.name
            org = organisations[assessor["code"]]
            assert (assessor["name"], assessor.get("org_type", org["org_type"])) == (org["name"], org["org_type"])
            supplier = path.with_name(f"{subject['code']}.yaml")
            assert subject["type"] == "technology" and load(supplier)["subject"] == subject, path.name
            block = re.compile(r"^subject:\n(?:  .*\n)+", re.M)
            assert block.search(path.read_text()).group() == block.search(supplier.read_text()).group()
            assert sub["rubric"] == load(supplier)["rubric"]
            assessing[(round_, subject["code"])] += 1
    assert assessing and max(assessing.values()) >= 2, assessing


def test_local_rubric_extends_the_national_one() -> None:
    folder = EXAMPLES / "local-rubric"
    ext = load(folder / "northshire-ai-readiness.yaml")
    base = rubric("nhs-ai-readiness")
    assert set(ext) <= TOP_KEYS
    assert ext["extends"] == "nhs-ai-readiness@1.0.0"
    assert ext["id"] == "northshire-ai-readiness" and ext["id"] != base["id"] and ext["version"]
    base_ids = set(by_id(base))
    assert ext["remove"] and set(ext["remove"]) <= base_ids
    base_domains = {d["id"] for d in base["domains"]}
    existing = [d for d in ext["domains"] if d["id"] in base_domains]
    new = [d for d in ext["domains"] if d["id"] not in base_domains]
    assert existing and any(d["criteria"] for d in existing), "adds a criterion to an existing domain"
    assert new and all(1 <= len(d["criteria"]) <= 2 and d["title"] and d["pillar"] in PILLARS for d in new)
    added = [c for d in ext["domains"] for c in d["criteria"]]
    for crit in added:
        assert crit["id"] not in base_ids and crit.get("references")
        assert all(r["framework"] in FRAMEWORKS for r in crit["references"])
        assert set(crit["levels"]) == set(SCALE) and crit["guidance"].strip()
    merged = resolve("northshire-ai-readiness.yaml", folder)
    ids = [c["id"] for _, c in criteria(merged)]
    assert len(ids) == len(set(ids)) == len(base_ids) - len(ext["remove"]) + len(added)
    sub = load(folder / "northshire-2026-Q4.yaml")
    assert sub["rubric"] == "northshire-ai-readiness.yaml"
    assert not set(ext["remove"]) & set(sub["answers"])
    assert {c["id"] for c in added} <= set(sub["answers"])

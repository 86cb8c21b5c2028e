"""Seeded generator of synthetic, valid submissions for any rubric, with a realistic spread of answers.

Usage: python bench/generate.py RUBRIC [RUBRIC...] -n 10000 -o DIR [--seed 0] [--rubric-dir DIR]

Each subject (an organisation or a technology) has a maturity that drifts up from round to
round; each answer is drawn around it by criterion type (levels, yes/no, options, thresholds,
checklists, numbers in range, free text). About half the answers use the long form with notes,
an owner and evidence (links, files in the folder's `evidence/`, dated or not); some criteria
are `na` where the rubric allows it, a few are left unanswered, and criteria whose `applies_if`
fails are usually left empty. Half the files are written the way `aiassure init`/`assess` write
them (every question as a comment, flow-style answers), half as plain block YAML. The same
seed always gives the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import re
import sys
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from typing import Any

import yaml

from aiassure.assessments.answers_file import render_answers_file
from aiassure.assessments.model import NHS_REGIONS, Answer
from aiassure.assessments.scoring import applicability
from aiassure.batch import run_batch
from aiassure.rubrics.loader import LoadedRubric, RubricLibrary
from aiassure.rubrics.model import Criterion

ROUNDS = ("2025-Q2", "2025-Q4", "2026-Q2", "2026-Q4")
GENERATE_SECONDS = 0.004  # about how long writing one submission takes: what run_batch plans --jobs from
PLACES = (
    "Northshire",
    "Westmoor",
    "Eastbridge",
    "Southvale",
    "Kingsford",
    "Ashby",
    "Brackenfield",
    "Calderbrook",
    "Dunmere",
    "Elmstead",
    "Fairhaven",
    "Greyfield",
    "Hollins",
    "Ironbridge",
    "Juniper Vale",
    "Kestrel Bay",
    "Longmarsh",
    "Millbrook",
    "Newhaven",
    "Oakhurst",
    "Pennington",
    "Queensgate",
    "Riverside",
    "Stonebury",
    "Thornton",
    "Upperwood",
    "Valewick",
    "Whitcombe",
)
ORG_KINDS = {
    "acute": "Hospitals NHS Foundation Trust",
    "mental-health": "Mental Health NHS Trust",
    "community": "Community Health NHS Trust",
    "ambulance": "Ambulance Service NHS Trust",
    "icb": "Integrated Care Board",
    "primary-care": "Primary Care Network",
    "local-authority": "County Council",
    "care-provider": "Care Group",
}
ORG_WEIGHTS = (40, 12, 10, 4, 8, 14, 6, 6)
PRODUCT_WORDS = ("Chest", "Derm", "Triage", "Stroke", "Retina", "Path", "Scribe", "Flow", "Sepsis", "Onco")
PRODUCT_SUFFIXES = ("View", "Sense", "Assist", "Scan", "Insight", "Guard", "Pilot")
SUPPLIERS = (
    "Acme Health AI Ltd",
    "Brightpath Diagnostics Ltd",
    "Cortex Clinical plc",
    "Deepwell Imaging Ltd",
    "Evergreen Digital Care Ltd",
)
USES = (
    "Prioritises chest X-rays with suspected abnormalities for reporting.",
    "Flags skin lesions that need urgent dermatology review.",
    "Drafts clinic letters from consultation audio for clinician sign-off.",
    "Predicts deterioration on adult inpatient wards from observations.",
    "Detects large-vessel occlusion on CT angiography.",
)
DEVICE_CLASSES = ("not a medical device", "I", "IIa", "IIb")
FIRST = (
    "Aisha",
    "Ben",
    "Chloe",
    "Dev",
    "Ellen",
    "Femi",
    "Grace",
    "Hamid",
    "Isla",
    "Jon",
    "Kiran",
    "Lena",
    "Mo",
    "Nadia",
    "Owen",
    "Priya",
)
LAST = (
    "Ahmed",
    "Brown",
    "Clarke",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nowak",
    "Patel",
    "Roberts",
)
ROLES = (
    "Chief Clinical Information Officer",
    "Clinical Safety Officer",
    "Data Protection Officer",
    "Head of Digital",
    "AI Programme Lead",
    "Caldicott Guardian",
    "Head of Information Governance",
)
NOTE_PHRASES = (
    "Reviewed at the digital board in {month}.",
    "Policy approved; rollout to remaining divisions is planned for next year.",
    "Owner confirmed; deputy arrangements are being agreed.",
    "Audit found two minor gaps, both with actions and dates.",
    "Evidence pack held by the clinical safety team; available on request.",
    "Partly in place: outpatients yes, emergency department not yet.",
    "Linked to the trust's AI assurance framework, section {section}.",
    "Measured on {count} cases from the local validation study.",
    "Supplier has shared their DCB0129 safety case and hazard log.",
    "Patient panel consulted twice; their feedback changed the design.",
)
EVIDENCE_TITLES = (
    "Board minutes",
    "Clinical safety case report",
    "Hazard log",
    "DPIA",
    "Equality impact assessment",
    "Local validation report",
    "Post-market surveillance plan",
    "Model card",
    "Audit report",
    "Training records",
    "DTAC submission",
    "Data sharing agreement",
)
TEXT_ANSWERS = (
    "Clinicians can override every output; overrides are logged and reviewed monthly.",
    "Patients are told at booking and can ask for a human-only pathway.",
    "Complaints about AI outputs follow the standard PALS process with an AI flag.",
    "Not yet defined; a working group reports in the next quarter.",
)
EVIDENCE_FILES = 8
LONG_FORM_SHARE = 0.55
NA_SHARE = 0.08
UNANSWERED_SHARE = 0.03
TEMPLATED_SHARE = 0.5


@dataclass(frozen=True)
class Subject:
    """One organisation or technology and how mature it is, stable across rounds."""

    fields: dict[str, Any]
    maturity: float  # fraction of the scale's top, before drift
    pillar_bias: dict[str, float]


class SubmissionGenerator:
    """Draws submissions for one rubric; `submission(k)` depends only on (seed, rubric, k)."""

    def __init__(
        self,
        rubric: LoadedRubric,
        *,
        seed: int = 0,
        rounds: tuple[str, ...] = ROUNDS,
        templated_share: float = TEMPLATED_SHARE,
    ) -> None:
        self.rubric = rubric
        self.seed = seed
        self.rounds = rounds
        self.templated_share = templated_share
        self.top = rubric.top
        self.labels = rubric.labels
        self.pillars = [p.id for p in rubric.model.pillars]

    def _rng(self, *parts: Any) -> random.Random:
        key = "/".join(map(str, (self.seed, self.rubric.ref, *parts)))
        return random.Random(int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big"))

    def subject(self, index: int) -> Subject:
        rng = self._rng("subject", index)
        if self.rubric.model.subject == "technology":
            product = f"{rng.choice(PRODUCT_WORDS)}{rng.choice(PRODUCT_SUFFIXES)}"
            supplier = rng.choice(SUPPLIERS)
            fields: dict[str, Any] = {
                "type": "technology",
                "name": f"{product} {index}",
                "code": f"PRD-{index:05d}",
                "org_type": "vendor",
                "region": rng.choice(NHS_REGIONS),
                "version": f"{rng.randint(1, 4)}.{rng.randint(0, 9)}.{rng.randint(0, 20)}",
                "supplier": {"name": supplier, "code": f"SUP-{SUPPLIERS.index(supplier) + 1:03d}"},
                "intended_use": rng.choice(USES),
                "device_class": rng.choice(DEVICE_CLASSES),
            }
        else:
            org_type = rng.choices(list(ORG_KINDS), weights=ORG_WEIGHTS)[0]
            fields = {
                "type": "organisation",
                "name": f"{rng.choice(PLACES)} {ORG_KINDS[org_type]} {index}",
                "code": f"R{index:05d}",
                "org_type": org_type,
                "region": rng.choice(NHS_REGIONS),
            }
        maturity = min(0.95, max(0.05, rng.betavariate(2.2, 2.6)))
        bias = {pillar: rng.gauss(0, 0.08) for pillar in self.pillars}
        return Subject(fields, maturity, bias)

    def submission(self, k: int) -> dict[str, Any]:
        """The k-th submission: subject k // rounds, round k % rounds, as plain YAML-ready data."""
        subject_index, round_index = divmod(k, len(self.rounds))
        subject = self.subject(subject_index)
        round_ = self.rounds[round_index]
        rng = self._rng("submission", k)
        year, quarter = int(round_[:4]), int(round_[-1])
        # in the first two months of the quarter (the same draw as before, scaled): no date after
        # 2026-12-07 for the latest round, which `--today` or the real date would refuse as future
        assessed_on = dt.date(year, 3 * quarter - 2, 1) + dt.timedelta(days=rng.randint(0, 88) * 60 // 88)
        maturity = subject.maturity + 0.05 * round_index
        assessors = []
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            person = {"name": name, "role": rng.choice(ROLES)}
            if rng.random() < 0.5:
                person["email"] = name.lower().replace(" ", ".") + "@nhs.net"
            assessors.append(person)
        answers = self.answers(rng, subject, maturity, assessed_on)
        return {
            "rubric": self.rubric.ref,
            "subject": subject.fields,
            "round": round_,
            "assessed_on": assessed_on,
            "assessors": assessors,
            "answers": answers,
        }

    def answers(self, rng: random.Random, subject: Subject, maturity: float, assessed_on: dt.date) -> dict[str, Any]:
        rubric = self.rubric
        drawn: dict[str, tuple[Any, Answer]] = {}  # id -> (YAML value, parsed form for applicability)
        for ident in rubric.evaluation_order:
            criterion = rubric.criteria[ident]
            mean = (maturity + subject.pillar_bias.get(rubric.pillar_of[ident], 0.0)) * self.top
            target = min(self.top, max(0, round(rng.gauss(mean, 0.9))))
            drawn[ident] = self._answer(rng, criterion, target, assessed_on)
        applicable = applicability(rubric, {ident: parsed for ident, (_, parsed) in drawn.items()})
        answers: dict[str, Any] = {}
        for ident in rubric.criteria:  # rubric order, as a person fills the file
            value = drawn[ident][0]
            if not applicable[ident] and rng.random() < 0.9:
                value = None
            elif rng.random() < UNANSWERED_SHARE:
                value = None
            answers[ident] = value
        return answers

    def _answer(
        self, rng: random.Random, criterion: Criterion, target: int, assessed_on: dt.date
    ) -> tuple[Any, Answer]:
        if criterion.allow_na and rng.random() < NA_SHARE:
            if rng.random() < 0.3:
                return "na", Answer(None, na=True)
            reason = {"value": "na", "reason": "Does not apply to this service.", "approved_by": rng.choice(ROLES)}
            return reason, Answer(None, na=True)
        value, normalised = getattr(self, f"_{criterion.type}")(rng, criterion, target)
        claimed = criterion.claimed_level(normalised, self.top)
        needs_evidence = (
            criterion.evidence_from is not None and claimed is not None and claimed >= criterion.evidence_from
        )
        if not needs_evidence and rng.random() >= LONG_FORM_SHARE:
            return value, Answer(normalised)
        long_form: dict[str, Any] = {("level" if criterion.type == "level" and rng.random() < 0.7 else "value"): value}
        if rng.random() < 0.6:
            long_form["notes"] = " ".join(
                rng.choice(NOTE_PHRASES).format(
                    month=assessed_on.strftime("%B"), section=rng.randint(2, 9), count=rng.randint(200, 5000)
                )
                for _ in range(rng.choice((1, 1, 2, 3)))
            )
        if rng.random() < 0.3:
            long_form["owner"] = rng.choice(ROLES)
        if rng.random() < (0.85 if needs_evidence else 0.25):
            long_form["evidence"] = [
                self._evidence(rng, criterion, assessed_on) for _ in range(rng.choice((1, 1, 2, 3)))
            ]
        return long_form, Answer(normalised)

    def _evidence(self, rng: random.Random, criterion: Criterion, assessed_on: dt.date) -> dict[str, Any]:
        title = rng.choice(EVIDENCE_TITLES)
        item: dict[str, Any] = {"title": title}
        if rng.random() < 0.85:
            slug = title.lower().replace(" ", "-")
            item["url"] = f"https://evidence.example.nhs.uk/{criterion.id}/{slug}-{rng.randint(1, 999)}.pdf"
        else:
            number = rng.randrange(EVIDENCE_FILES)
            item["path"] = f"evidence/{evidence_name(number)}"
            if rng.random() < 0.5:
                item["sha256"] = hashlib.sha256(evidence_bytes(number)).hexdigest()
        limit = criterion.evidence_max_age_days
        if limit is not None or rng.random() < 0.6:
            span = limit if limit is not None else 730
            stale = limit is not None and rng.random() < 0.1
            item["date"] = assessed_on - dt.timedelta(
                days=rng.randint(span + 1, span + 400) if stale else rng.randint(0, span)
            )
        return item

    # Each returns (YAML value, normalised value) for an answer near a target level.

    def _level(self, rng: random.Random, criterion: Criterion, target: int) -> tuple[Any, Any]:
        if rng.random() < 0.15:
            label = self.labels[target]
            return (label.lower() if rng.random() < 0.3 else label), target
        return target, target

    def _yes_no(self, rng: random.Random, criterion: Criterion, target: int) -> tuple[Any, Any]:
        yes = rng.random() < (0.15 + 0.7 * target / self.top)
        word = "yes" if yes else "no"
        value: Any = yes if rng.random() < 0.8 else (word.capitalize() if rng.random() < 0.5 else word)
        return value, word

    def _choice(self, rng: random.Random, criterion: Criterion, target: int) -> tuple[Any, Any]:
        options = criterion.options or []
        best = min(abs((o.level or 0) - target) for o in options)
        option = rng.choice([o for o in options if abs((o.level or 0) - target) == best])
        return option.id, option.id

    def _multi(self, rng: random.Random, criterion: Criterion, target: int) -> tuple[Any, Any]:
        options = [o.id for o in criterion.options or []]
        chosen: list[str] = []
        for option in rng.sample(options, len(options)):
            if criterion.claimed_level(chosen, self.top) >= target:
                break
            chosen.append(option)
        chosen.sort(key=options.index)
        return chosen, chosen

    def _number(self, rng: random.Random, criterion: Criterion, target: int) -> tuple[Any, Any]:
        bound = "max" if criterion.direction == "lower_is_better" else "min"
        thresholds = sorted(criterion.thresholds or [], key=lambda t: t.level)
        bounds = [getattr(t, bound) for t in thresholds]
        low, high = (
            criterion.range
            if criterion.range is not None
            else (min(bounds) * 0.5 if bounds else 0.0, max(bounds) * 1.5 if bounds else 100.0)
        )
        # The interval of values that reach `target` and no more: between this level's bound and the next one's.
        reached = [t for t in thresholds if t.level <= target]
        above = [t for t in thresholds if t.level > target]
        if bound == "min":
            lo = reached[-1].min if reached else low
            hi = above[0].min if above else high
        else:
            hi = reached[-1].max if reached else high
            lo = above[0].max if above else low
        lo, hi = max(lo, low), min(hi, high)
        whole = all(float(b).is_integer() for b in (*bounds, low, high)) and high - low > 10
        if whole:
            value: Any = int(rng.uniform(lo, hi)) if hi > lo else int(lo)
            value = min(max(value, int(low)), int(high))
        else:
            value = round(rng.uniform(lo, hi), 3) if hi > lo else lo
            value = min(max(value, low), high)
        return value, value

    def _checklist(self, rng: random.Random, criterion: Criterion, target: int) -> tuple[Any, Any]:
        met = [e.id for e in criterion.elements or [] if e.level <= target or rng.random() < 0.2]
        if met and rng.random() < 0.1:
            met.remove(rng.choice(met))
        return met, met

    def _text(self, rng: random.Random, criterion: Criterion, target: int) -> tuple[Any, Any]:
        text = rng.choice(TEXT_ANSWERS)
        return text, text

    def render(self, k: int) -> str:
        """The k-th submission as file text, in one of the two styles."""
        data = self.submission(k)
        if self._rng("style", k).random() < self.templated_share:
            return self._fill_template(data)
        data["answers"] = {ident: value for ident, value in data["answers"].items() if value is not None}
        return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)

    @cached_property
    def _template(self) -> str:
        """`render_answers_file` output once per rubric, with a placeholder for every value."""
        subject = self.subject(0).fields
        return render_answers_file(
            self.rubric,
            reference=self.rubric.ref,
            subject={key: _placeholder(f"subject.{key}") for key in subject},
            round_=_placeholder("round"),
            assessed_on=_Placeholder("assessed_on"),  # type: ignore[arg-type]
            assessors=_placeholder("assessors"),  # type: ignore[arg-type]
            answers={ident: _placeholder(f"answers.{ident}") for ident in self.rubric.criteria},
        )

    def _fill_template(self, data: dict[str, Any]) -> str:
        """What `render_answers_file` writes for `data` (checked by tests/bench), ten times faster."""
        values = {f"subject.{key}": value for key, value in data["subject"].items()}
        values.update({f"answers.{ident}": value for ident, value in data["answers"].items()})
        values["assessors"] = data["assessors"]
        raw = {"round": data["round"], "assessed_on": data["assessed_on"].isoformat()}

        def fill(match: re.Match[str]) -> str:
            name = match.group(2)
            if name in raw:
                return match.group(1) + raw[name]
            value = values[name]
            return "" if value is None else match.group(1) + _flow_scalar(value)

        return _PLACEHOLDER.sub(fill, self._template)

    def render_reference(self, k: int) -> str:
        """The k-th submission through `render_answers_file` itself (for checking `_fill_template`)."""
        data = self.submission(k)
        return render_answers_file(
            self.rubric,
            reference=data["rubric"],
            subject=data["subject"],
            round_=data["round"],
            assessed_on=data["assessed_on"],
            assessors=data["assessors"],
            answers=data["answers"],
        )


_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
# A placeholder as `scalar` writes it (quoted: `@` cannot start a plain YAML value) or raw.
_PLACEHOLDER = re.compile(r"( ?)'?@@([^@']+)@@'?")


def _flow_scalar(value: Any) -> str:
    """`answers_file.scalar` through libyaml's emitter: the same text (tests/bench checks), faster."""
    text = yaml.dump(value, Dumper=_Dumper, default_flow_style=True, allow_unicode=True, width=10**9, sort_keys=False)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _placeholder(name: str) -> str:
    return f"@@{name}@@"


class _Placeholder:
    """Stands for a date in the template: `render_answers_file` writes `assessed_on.isoformat()`."""

    def __init__(self, name: str) -> None:
        self.name = name

    def isoformat(self) -> str:
        return _placeholder(self.name)


def evidence_name(number: int) -> str:
    # Not .pdf: `registry ingest FOLDER` reads every PDF in a folder as a report.
    return f"document-{number}.txt"


def evidence_bytes(number: int) -> bytes:
    return f"Synthetic evidence document {number}.\n".encode() * 40


def write_evidence(folder: Path) -> None:
    """The few evidence files that generated `path:` items point at."""
    evidence = folder / "evidence"
    evidence.mkdir(parents=True, exist_ok=True)
    for number in range(EVIDENCE_FILES):
        target = evidence / evidence_name(number)
        if not target.exists():
            target.write_bytes(evidence_bytes(number))


def generate(
    rubrics: list[LoadedRubric],
    count: int,
    out: Path,
    *,
    seed: int = 0,
    templated_share: float = TEMPLATED_SHARE,
    jobs: int = 1,
) -> list[Path]:
    """Write `count` submissions, spread evenly over `rubrics`, into `out`; return their paths in order."""
    out.mkdir(parents=True, exist_ok=True)
    write_evidence(out)
    generators = [SubmissionGenerator(r, seed=seed, templated_share=templated_share) for r in rubrics]
    return list(run_batch(partial(_write_one, generators, out), range(count), jobs=jobs, item_seconds=GENERATE_SECONDS))


def _write_one(generators: list[SubmissionGenerator], out: Path, k: int) -> Path:
    generator = generators[k % len(generators)]
    path = out / f"{k:06d}-{generator.rubric.id}.yaml"
    path.write_text(generator.render(k // len(generators)), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rubrics", nargs="+", help="rubric refs (id@version, id or a path)")
    parser.add_argument("-n", "--count", type=int, default=1000)
    parser.add_argument("-o", "--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rubric-dir", type=Path, action="append", default=[])
    parser.add_argument(
        "--templated-share", type=float, default=TEMPLATED_SHARE, help="share of files in the `aiassure init` layout"
    )
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args(argv)
    library = RubricLibrary(args.rubric_dir)
    rubrics = [library.resolve(ref) for ref in args.rubrics]
    paths = generate(
        rubrics, args.count, args.out, seed=args.seed, templated_share=args.templated_share, jobs=args.jobs
    )
    print(f"wrote {len(paths)} submission(s) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

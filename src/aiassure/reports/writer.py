"""One report per submission, in each requested format, written atomically under safe names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Protocol

from ..assessments.inputs import RESULT_ATTACHMENT
from ..assessments.model import Submission
from ..assessments.result import Result
from ..assessments.score_files import ScoreOptions, read_submission, score_parsed
from ..assessments.scoring import uncapped_scores
from ..assessments.validate import ParsedSubmission
from ..errors import UsageError
from ..fsutil import refuse_inputs, write_atomic
from ..registry.portfolio.model import DEFAULT_MIN_PEERS
from ..registry.standing import TREND_ROUNDS, standing
from ..registry.store import Registry, open_registry
from .actionplan import ACTION_PLAN, PlanRow, plan_csv, plan_rows
from .context import build_report_context
from .formats import HTML_TEMPLATE, MARKDOWN_TEMPLATE, OutputFormat, ReportDocument, Target, output_formats, register
from .limits import TemplateLimits
from .pdf import html_to_pdf
from .render import compile_template, render_markdown

DEFAULT_FORMATS = ("html", "pdf")


# About how long each format of one report takes to render (bench measures 2 and 4), beyond
# reading and scoring the file: what `run_batch` plans --jobs from.
FORMAT_SECONDS = {"html": 0.008, "pdf": 2.5, "md": 0.004, "json": 0.0005}


def report_seconds(formats: Sequence[str]) -> float:
    """About how long one file's reports in these formats take, reading and scoring it included."""
    from ..assessments.score_files import SCORE_SECONDS

    # The PDF is rendered from the HTML, which is then not rendered twice.
    # A plugin's format is taken to cost what the HTML does.
    others = FORMAT_SECONDS["html"]
    return SCORE_SECONDS + sum(FORMAT_SECONDS.get(f, others) for f in formats if not (f == "html" and "pdf" in formats))


def slug(text: str, fallback: str = "report") -> str:
    """A file-name part that cannot leave its folder or hide: ASCII letters, digits, `.`, `_`, `-`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_text)
    cleaned = re.sub(r"-{2,}", "-", cleaned).strip(".-_")[:80].rstrip(".-_")
    return cleaned or fallback


def report_stem(subject_code: str, round_: str, assessed_by: str | None = None) -> str:
    """`<code>-<round>`, the name every format of one report shares; `<code>-by-<assessor>-<round>`
    for an assessment carried out by another organisation (`assessed_by`, its code), so that two
    trusts' assessments of one product in a round, and the supplier's own, do not collide."""
    assessor = f"-by-{slug(assessed_by, 'assessor')}" if assessed_by is not None else ""
    return f"{slug(subject_code, 'subject')}{assessor}-{slug(round_, 'round')}"


def parse_formats(text: str | Iterable[str], target: Target = "report") -> tuple[str, ...]:
    """`html,pdf` -> ('html', 'pdf') in the order of the formats of `target` (built-in, then the
    plugins'); an unknown format is a usage error listing those there are."""
    allowed = list(output_formats(target))
    names = [part.strip().lower() for part in (text.split(",") if isinstance(text, str) else text) if part.strip()]
    unknown = sorted(set(names) - set(allowed))
    if unknown or not names:
        raise UsageError(
            f"unknown {target} format(s) {', '.join(unknown) or '(none given)'}; choose from {', '.join(allowed)}"
        )
    return tuple(f for f in allowed if f in names)


def earlier_rounds(result: Result, candidates: Iterable[Result], most: int = TREND_ROUNDS - 1) -> list[Result]:
    """Up to `most` earlier rounds of the same subject (type and code) on the same rubric, assessed
    by the same organisation (or, like `result`, by none), oldest first: one a round, its latest."""
    by_round: dict[str, Result] = {}
    for c in candidates:
        if (
            c.subject.code == result.subject.code
            and c.subject.type == result.subject.type
            and c.rubric.id == result.rubric.id
            and _assessor_code(c) == _assessor_code(result)
            and c.round < result.round
        ):
            kept = by_round.get(c.round)
            if kept is None or c.assessed_on > kept.assessed_on:
                by_round[c.round] = c
    return [by_round[r] for r in sorted(by_round)[-most:]] if most > 0 else []


def match_previous(result: Result, candidates: Iterable[Result]) -> Result | None:
    """The latest earlier round of the same subject on the same rubric, by the same assessor (see `earlier_rounds`)."""
    found = earlier_rounds(result, candidates, 1)
    return found[-1] if found else None


def _assessor_code(result: Result) -> str | None:
    return result.assessed_by.code if result.assessed_by else None


def pdf_attachments(parsed: ParsedSubmission, result: Result) -> list[tuple[str, bytes, str]]:
    """The files a report PDF carries so that it can be ingested on its own: result and submission."""
    name = Path(parsed.file).name
    if name == RESULT_ATTACHMENT:
        name = f"submission-{name}"
    return [
        (RESULT_ATTACHMENT, result.to_json().encode(), "aiassure result of the submission (SPEC 4.8)"),
        (name, parsed.document.raw, "the submission file this report was made from"),
    ]


def prepare_templates(formats: Sequence[str], template_dirs: Sequence[Path] = (), target: Target = "report") -> None:
    """Compile the templates the formats need, before any report is rendered."""
    available = output_formats(target)
    for name, markdown in dict.fromkeys(template for f in formats for template in available[f].templates):
        compile_template(name, template_dirs, markdown=markdown)


def _pdf(document: ReportDocument) -> bytes:
    result = document.result
    return html_to_pdf(
        document.html,
        attachments=pdf_attachments(document.parsed, result),
        title=document.context["title"],
        lang=document.context["lang"],
        base_dirs=document.template_dirs,
        created=datetime.fromisoformat(result.assessed_on).replace(tzinfo=UTC),
    )


def _markdown(document: ReportDocument) -> bytes:
    return render_markdown(
        MARKDOWN_TEMPLATE, document.context, document.template_dirs, limits=document.template_limits
    ).encode()


def _html(document: ReportDocument) -> bytes:
    return document.html.encode()


def _json(document: ReportDocument) -> bytes:
    return document.result.to_json().encode()


_HTML = ((HTML_TEMPLATE, False),)
BUILTIN_FORMATS = tuple(
    register(output).name
    for output in (
        OutputFormat("html", "the report as one HTML page", _html, templates=_HTML),
        OutputFormat(
            "pdf", "PDF/UA, carrying the result JSON and the submission as attachments", _pdf, templates=_HTML
        ),
        OutputFormat("md", "Markdown", _markdown, templates=((MARKDOWN_TEMPLATE, True),)),
        OutputFormat("json", "the result (SPEC 4.8)", _json),
    )
)


def render_report(
    parsed: ParsedSubmission,
    formats: Sequence[str],
    template_dirs: Sequence[Path] = (),
    previous: Iterable[Result] = (),
    *,
    limits: TemplateLimits | None = None,
    registry: Registry | None = None,
    min_peers: int = DEFAULT_MIN_PEERS,
    action_plan: Sequence[PlanRow] | None = None,
    score: ScoreOptions | None = None,
) -> dict[str, bytes]:
    """Every requested format of one submission's report, in memory: extension -> bytes; a
    --template-dir template is stopped at `limits` (render.TemplateLimits); the waivers of
    `score` are applied (docs/waivers.md). With a `registry` (`report --db`), the executive summary
    shows the medians of the result's round there, among at least `min_peers`, and the trend of its
    earlier rounds there. With `action_plan` (the rows of the previous plans, or none), the roadmap
    as an action plan too, under `ACTION_PLAN`."""
    result, evaluation = score_parsed(parsed, score)
    earlier = earlier_rounds(result, previous)
    context = build_report_context(
        parsed,
        result,
        earlier[-1] if earlier else None,
        uncapped_scores(evaluation),
        earlier=earlier,
        standing=standing(registry, result) if registry is not None else None,
        min_peers=min_peers,
        waivers=score.waivers if score is not None else (),
    )
    document = ReportDocument(parsed, result, context, template_dirs, limits)
    rendered = {name: output.render(document) for name, output in output_formats("report").items() if name in formats}
    if action_plan is not None:
        rendered[ACTION_PLAN] = plan_csv(plan_rows(dict(context), action_plan))
    return rendered


class NamedSubmission(Protocol):
    """What naming a submission's reports needs: the file it came from and its envelope."""

    @property
    def file(self) -> str: ...

    @property
    def envelope(self) -> Submission: ...


def report_paths(parsed_list: Sequence[NamedSubmission], out_dir: Path, formats: Sequence[str]) -> list[list[Path]]:
    """The files each submission's report will be written to, one per format (or `ACTION_PLAN`), in
    their order; two submissions may not share one."""
    planned: list[list[Path]] = []
    owners: dict[str, str] = {}
    for parsed in parsed_list:
        envelope = parsed.envelope
        assessor = envelope.assessed_by.code if envelope.assessed_by else None
        stem = report_stem(envelope.subject.code, envelope.round, assessor)
        if stem in owners:
            raise UsageError(
                f"{parsed.file} and {owners[stem]} would both be reported as {stem}: "
                "same subject code, assessing organisation and round"
            )
        owners[stem] = parsed.file
        planned.append([out_dir / f"{stem}.{ext}" for ext in formats])
    return planned


def write_reports(
    parsed_list: Sequence[ParsedSubmission],
    out_dir: Path,
    formats: Sequence[str] = DEFAULT_FORMATS,
    template_dirs: Sequence[Path] = (),
    previous: Iterable[Result] = (),
    *,
    protect: Sequence[Path] = (),
    limits: TemplateLimits | None = None,
    registry: Registry | None = None,
    min_peers: int = DEFAULT_MIN_PEERS,
    action_plan: Sequence[PlanRow] | None = None,
    score: ScoreOptions | None = None,
) -> list[Path]:
    """Render and write every submission's report; returns the files written, in order.

    Names are checked before anything is written; each submission's formats are all rendered
    before any of its files is replaced, and every file is replaced atomically, so a failure
    leaves earlier files whole. No output may overwrite a submission or a `protect`ed file.
    """
    formats = parse_formats(formats)
    previous = list(previous)
    outputs = (*formats, ACTION_PLAN) if action_plan is not None else formats
    planned = report_paths(parsed_list, out_dir, outputs)
    inputs = [p.document.path for p in parsed_list if p.document.path is not None] + list(protect)
    refuse_inputs((path for paths in planned for path in paths), inputs)
    written: list[Path] = []
    for parsed, paths in zip(parsed_list, planned, strict=True):
        rendered = render_report(
            parsed,
            formats,
            template_dirs,
            previous,
            limits=limits,
            registry=registry,
            min_peers=min_peers,
            action_plan=action_plan,
            score=score,
        )
        for output, path in zip(outputs, paths, strict=True):
            write_atomic(path, rendered[output])
            written.append(path)
    return written


@dataclass(frozen=True)
class ReportSettings:
    """What `report_file` needs besides the submission: the same for every file of a batch."""

    out_dir: Path
    formats: tuple[str, ...] = DEFAULT_FORMATS
    template_dirs: tuple[Path, ...] = ()
    previous: tuple[Result, ...] = ()  # earlier rounds, for the change since the previous one
    protect: tuple[Path, ...] = ()  # files no report may overwrite, besides the submissions
    score: ScoreOptions = field(default_factory=ScoreOptions)
    template_limits: TemplateLimits | None = None
    registry_url: str | None = None  # `report --db`: the registry the executive summary compares with
    min_peers: int = DEFAULT_MIN_PEERS
    action_plan: tuple[PlanRow, ...] | None = None  # `--action-plan`: the previous plans' rows, or none

    @property
    def outputs(self) -> tuple[str, ...]:
        """What is written of each submission: its formats, then the action plan when asked for."""
        return (*self.formats, ACTION_PLAN) if self.action_plan is not None else self.formats

    @property
    def registry(self) -> Registry | None:
        """The registry at `registry_url`, opened once per process (workers each open their own)."""
        return None if self.registry_url is None else opened_registry(self.registry_url)


@cache
def opened_registry(url: str) -> Registry:
    """The registry at `url`, which must exist, opened once per process."""
    return open_registry(url, must_exist=True)


def report_file(path: Path, settings: ReportSettings) -> list[Path]:
    """Read one submission again and write its reports: the worker of `report` and `demo` (only a
    path and the settings cross processes, nothing large)."""
    options = settings.score
    parsed = read_submission(path, options)
    return write_reports(
        [parsed],
        settings.out_dir,
        settings.formats,
        settings.template_dirs,
        settings.previous,
        protect=settings.protect,
        limits=settings.template_limits,
        registry=settings.registry,
        min_peers=settings.min_peers,
        action_plan=settings.action_plan,
        score=options,
    )


__all__ = [
    "BUILTIN_FORMATS",
    "DEFAULT_FORMATS",
    "FORMAT_SECONDS",
    "ReportSettings",
    "earlier_rounds",
    "match_previous",
    "opened_registry",
    "parse_formats",
    "pdf_attachments",
    "render_report",
    "report_file",
    "report_paths",
    "report_seconds",
    "report_stem",
    "slug",
    "write_reports",
]

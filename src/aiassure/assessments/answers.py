"""Check one answer against its criterion's type and normalise it (SPEC 3 per type, SPEC 4 long form)."""

from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from ..diagnose import MAX_DIAGNOSTICS, Suggester, pydantic_diagnostics, too_many
from ..errors import Diagnostic
from ..fsutil import Unconfined, confined, name_problem, resolved
from ..rubrics.loader import LoadedRubric
from ..rubrics.model import Criterion, is_na_word
from ..rubrics.parts import CriterionBase
from ..source import Document, KeyPath
from .model import LONG_FORM_KEYS, Answer, EvidenceItem

# An ASCII http(s) link with a host and no brackets, blanks, tabs or line breaks: urlsplit would
# accept it, so most links skip urlsplit's general parse (a measurable share of a submission).
_PLAIN_WEB_URL = re.compile(r"(?i:https?)://[^\x00-\x20\x7f/?#\[\]]+(?:[/?#][^\x00-\x20\x7f]*)?")


class EvidenceChecker:
    """Checks the evidence items of one YAML document (answers, waivers), collecting located
    diagnostics: a URL is http(s), a path stays inside the document's folder."""

    folder_name = "the submission's folder"  # how messages name the folder evidence paths stay in

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.folder = resolved(doc.path.parent) if doc.path is not None else None
        self.found: list[Diagnostic] = []
        self.suggest = Suggester()  # the file's "did you mean" searches, capped

    def error(self, code: str, message: str, path: KeyPath, hint: str = "", key: bool = False) -> None:
        self.found.append(self.doc.diagnostic(code, message, path, key=key, hint=hint))

    def warn(self, code: str, message: str, path: KeyPath, hint: str = "") -> None:
        self.found.append(self.doc.diagnostic(code, message, path, severity="warning", hint=hint))

    def evidence(self, raw: object, path: KeyPath) -> tuple[EvidenceItem, ...] | None:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.error(
                "invalid-value",
                "`evidence` must be a list of items",
                path,
                "write `evidence: [{title: ..., url: ...}]`",
            )
            return None
        items: list[EvidenceItem] = []
        ok = True
        for index, entry in enumerate(raw):
            item_path = (*path, index)
            try:
                item = EvidenceItem.model_validate(entry)
            except ValidationError as exc:
                self.found.extend(pydantic_diagnostics(self.doc, exc, EvidenceItem, item_path))
                ok = False
                continue
            ok = self._check_evidence(item, item_path) and ok
            items.append(item)
        return tuple(items) if ok else None

    def _check_evidence(self, item: EvidenceItem, path: KeyPath) -> bool:
        if (item.url is None) == (item.path is None):
            self.error("evidence-target", "an evidence item needs exactly one of `url` or `path`", path)
            return False
        if item.url is not None:
            if item.url.isascii() and _PLAIN_WEB_URL.fullmatch(item.url):
                return True
            try:
                parts = urlsplit(item.url)
            except ValueError:  # for example an unclosed IPv6 bracket: http://[::1
                parts = None
            if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
                self.error(
                    "evidence-url",
                    f"evidence URL {item.url!r} is not an http(s) address",
                    (*path, "url"),
                    "only http:// and https:// links are accepted",
                )
                return False
            return True
        return self._check_path(item, path)

    def _check_path(self, item: EvidenceItem, path: KeyPath) -> bool:
        text = item.path or ""
        where = (*path, "path")
        problem = name_problem(text, self.folder_name)
        if problem is not None:
            self.error("evidence-path", f"evidence path {text!r} {problem}", where)
            return False
        if self.folder is None:
            return True
        try:
            target = resolved(confined(self.folder, text, self.folder_name))
            if not target.is_file():
                self.warn("evidence-missing", f"evidence file {text!r} does not exist", where)
                return True
            if item.sha256 is None:
                return True
            with target.open("rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
        except Unconfined as exc:
            self.error(
                "evidence-path",
                f"evidence path {text!r} {exc.reason}",
                where,
                f"keep evidence files inside {self.folder_name}",
            )
            return False
        except (OSError, RuntimeError) as exc:  # a name too long, no permission; RuntimeError: a symlink loop
            reason = exc.strerror if isinstance(exc, OSError) else "symbolic links loop"
            self.error("evidence-path", f"evidence path {text!r} cannot be checked: {reason}", where)
            return False
        if digest != item.sha256.lower():
            self.error(
                "evidence-hash",
                f"evidence file {item.path!r} has SHA-256 {digest}, not the one given",
                (*path, "sha256"),
            )
            return False
        return True


class AnswerChecker(EvidenceChecker):
    """Parses answers of one submission, collecting located diagnostics."""

    def __init__(self, doc: Document, rubric: LoadedRubric) -> None:
        super().__init__(doc)
        self.rubric = rubric

    def parse(self, criterion: Criterion, raw: object, path: KeyPath) -> Answer | None:
        """The normalised answer, or None after recording why it is invalid."""
        if not isinstance(raw, dict):
            return self._with_value(criterion, raw, path, {})
        value_key = "value"
        unknown = [key for key in raw if key not in LONG_FORM_KEYS]
        for key in unknown:
            self.error(
                "unknown-key",
                f"unknown key {key!r} in an answer",
                (*path, key),
                self.suggest(key, LONG_FORM_KEYS) or f"allowed keys: {', '.join(LONG_FORM_KEYS)}",
                key=True,
            )
        if unknown:
            return None
        if "level" in raw and "value" in raw:
            self.error("conflicting-keys", "give `value` or `level`, not both", (*path, "level"), key=True)
            return None
        if "level" in raw:
            if criterion.answer_key != "level":
                self.error(
                    "wrong-key",
                    f"`level` is for level criteria; {criterion.id} is {criterion.type}: use `value`",
                    (*path, "level"),
                    key=True,
                )
                return None
            value_key = "level"
        extras: dict[str, Any] = {}
        for name in ("notes", "owner", "reason", "approved_by"):
            if name in raw and raw[name] is not None:
                if not isinstance(raw[name], (str, int, float)) or isinstance(raw[name], bool):
                    self.error("invalid-value", f"`{name}` must be text", (*path, name))
                    return None
                extras[name] = str(raw[name])
        evidence = self.evidence(raw.get("evidence"), (*path, "evidence"))
        if evidence is None:
            return None
        extras["evidence"] = evidence
        return self._with_value(criterion, raw.get(value_key), (*path, value_key) if value_key in raw else path, extras)

    def _with_value(self, criterion: Criterion, raw: object, path: KeyPath, extras: dict[str, Any]) -> Answer | None:
        if raw is None:
            return Answer(None, **extras)
        if isinstance(raw, str) and is_na_word(raw) and criterion.carries_level:
            if not criterion.allow_na:
                self.error(
                    "na-not-allowed",
                    f"{criterion.id} does not allow `na`",
                    path,
                    "answer the question; the rubric allows no exemption here",
                )
                return None
            if not extras.get("reason"):
                self.warn(
                    "na-without-reason",
                    f"`na` for {criterion.id} has no reason",
                    path,
                    "use the long form: {value: na, reason: ..., approved_by: ...}",
                )
            return Answer(None, na=True, **extras)
        if extras.get("reason") or extras.get("approved_by"):
            self.warn(
                "reason-without-na", "`reason` and `approved_by` justify an `na` answer and are ignored here", path
            )
        value = criterion.read_value(self, raw, path)
        return None if value is None else Answer(value, **extras)

    @property
    def labels(self) -> dict[int, str]:
        return self.rubric.labels

    def expect(self, criterion: CriterionBase, raw: object, path: KeyPath, expected: str, hint: str = "") -> None:
        """Record that `raw` is not the kind of answer `criterion` takes."""
        self.error("invalid-answer", f"{criterion.id} ({criterion.type}) expects {expected}, got {raw!r}", path, hint)

    def ids(self, criterion: CriterionBase, raw: object, path: KeyPath, ids: list[str]) -> list[str] | None:
        """A list of distinct ids out of `ids`, or None after recording what is wrong with it."""
        if not isinstance(raw, list):
            self.expect(
                criterion, raw, path, "a list of ids", f"for example [{', '.join(ids[:2])}]; [] selects nothing"
            )
            return None
        chosen: list[str] = []
        ok = True
        for index, item in enumerate(raw):
            if len(self.found) >= MAX_DIAGNOSTICS:
                self.found.append(too_many(self.doc, path))
                return None
            if not isinstance(item, str) or item not in ids:
                self.error(
                    "unknown-option",
                    f"{item!r} is not an id of {criterion.id}",
                    (*path, index),
                    self.suggest(str(item), ids) or f"ids: {', '.join(ids)}",
                )
                ok = False
            elif item in chosen:
                self.error("duplicate-option", f"{item!r} is listed twice", (*path, index))
                ok = False
            else:
                chosen.append(item)
        return chosen if ok else None


__all__ = ["AnswerChecker", "EvidenceChecker"]

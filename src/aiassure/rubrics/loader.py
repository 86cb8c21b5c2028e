"""Find rubrics (built-in library, --rubric-dir, AIASSURE_RUBRIC_PATH), resolve `extends`, fingerprint them."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

from pydantic import ValidationError

from ..canonical import canonical_json
from ..codes import CODES
from ..diagnose import did_you_mean, pydantic_diagnostics
from ..errors import AiassureError, Diagnostic, InputError, Location, NotFoundError
from ..fsutil import Unconfined, confined
from ..plugins import RUBRICS, PluginRef, discover, remembered, warn
from ..source import Document, YamlMap, YamlSeq, load_file
from ..text import is_ascii_number
from .limits import text_diagnostics
from .lint import applies_if_cycle, lint
from .model import Criterion, Domain, Rubric, canonical_dump

BUILTIN_DIR = Path(__file__).parent / "library"
ENV_PATH = "AIASSURE_RUBRIC_PATH"
_EXTENSION_KEYS = ("extends", "remove")
MAX_EXTENDS_DEPTH = 32


def version_key(version: str) -> tuple[tuple[int, ...], bool]:
    """Semantic-version order: a release after its pre-releases; a malformed version sorts first."""
    core, dash, _ = version.split("+", 1)[0].partition("-")
    return tuple(int(part) if is_ascii_number(part) else -1 for part in core.split(".")), not dash


@dataclass(frozen=True)
class LoadedRubric:
    """A validated, fully resolved rubric with the indexes the engine needs."""

    model: Rubric
    fingerprint: str
    source: str
    warnings: tuple[Diagnostic, ...] = ()
    plugins: tuple[PluginRef, ...] = ()  # the plugins whose library held it, or a rubric it extends
    raw: Any = field(default=None, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def version(self) -> str:
        return self.model.version

    @property
    def ref(self) -> str:
        return f"{self.model.id}@{self.model.version}"

    @cached_property
    def criteria(self) -> dict[str, Criterion]:
        return {c.id: c for d in self.model.domains for c in d.criteria}

    @cached_property
    def domain_of(self) -> dict[str, Domain]:
        return {c.id: d for d in self.model.domains for c in d.criteria}

    @cached_property
    def pillar_of(self) -> dict[str, str]:
        return {c.id: (c.pillar or d.pillar or "") for d in self.model.domains for c in d.criteria}

    @cached_property
    def top(self) -> int:
        return max(s.level for s in self.model.scale)

    @cached_property
    def labels(self) -> dict[int, str]:
        return {s.level: s.label for s in self.model.scale}

    @cached_property
    def evaluation_order(self) -> tuple[str, ...]:
        """Criteria ordered so that every `applies_if` target comes before the criterion using it."""
        done: dict[str, None] = {}
        criteria = self.criteria

        def visit(ident: str) -> None:
            pending = [ident]
            while pending:
                current = pending[-1]
                waiting = [
                    cond.criterion
                    for cond in criteria[current].applies_if
                    if cond.criterion in criteria and cond.criterion not in done and cond.criterion not in pending
                ]
                if waiting:
                    pending.extend(waiting)
                else:
                    pending.pop()
                    done.setdefault(current, None)

        for ident in criteria:
            visit(ident)
        return tuple(done)


def is_path_ref(ref: str) -> bool:
    """Whether a rubric reference is a file path rather than `id@version` or a bare id."""
    return ref.endswith((".yaml", ".yml")) or "/" in ref or "\\" in ref or os.sep in ref


class RubricPathRefused(InputError):
    """A `rubric:` or `extends:` path that would reach outside the folder of the file naming it."""

    def __init__(self, ref: str, reason: str, where: Location | None) -> None:
        self.where = where  # None: the reference handed to `resolve` itself, not an `extends` inside a rubric
        message = f"rubric path {ref!r} {reason}"
        hint = "keep the rubric file in the folder of the file that names it, or name it by id@version"
        super().__init__(message, [Diagnostic("rubric-path", message, where or Location(ref), "", "error", hint)])


def looks_like_rubric(data: Any) -> bool:
    """Whether a parsed file is meant as a rubric: a mapping with an id and a version, and domains
    or a base it extends. Only then may messages about it quote what it holds (a document that is
    not a mapping at all is refused by `_load` without quoting it)."""
    return isinstance(data, dict) and "id" in data and "version" in data and ("domains" in data or "extends" in data)


def _foreign_document(path: Path) -> Document:
    """A rubric file named by another file, parsed; refused (InputError) without quoting a word of
    it when it cannot be read or is not a rubric at all: a `rubric:` line naming some other file
    must not turn aiassure into a way of reading it."""
    shown = str(path)
    hint = f"check it with `aiassure rubrics lint {shown}`"
    try:
        doc = load_file(path)
    except InputError as exc:
        # Keep where and what kind of problem, not the message: YAML errors quote the text.
        kept = [
            Diagnostic(d.code, CODES.get(d.code, "the file cannot be read"), d.location, "", d.severity, hint)
            for d in exc.diagnostics
        ]
        raise InputError(f"{shown}: cannot be read as a rubric", kept) from None
    if isinstance(doc.data, dict) and not looks_like_rubric(doc.data):  # anything else is refused unquoted
        message = "the file is not a rubric (a mapping with id, version and domains); its content is not shown"
        raise InputError(f"{shown}: not a rubric", [Diagnostic("not-a-rubric", message, Location(shown), "", "error")])
    return doc


def _located_error(where: Location, code: str, message: str, hint: str = "") -> NotFoundError:
    return NotFoundError(message, [Diagnostic(code, message, where, "", "error", hint)])


def _merge(base: Any, extension: YamlMap, doc: Document) -> tuple[YamlMap, list[Diagnostic]]:
    """SPEC 3.6: domains merged by id, `remove` applied, every other field replaced."""
    problems: list[Diagnostic] = []
    merged = YamlMap()
    for key, value in base.items():
        merged[key] = value
        merged.marks[key] = doc.root, doc.root
    domains = YamlSeq()
    index: dict[str, YamlMap] = {}
    for domain in base.get("domains") or []:
        copy = YamlMap()
        copy.update(domain)
        copy.marks = dict(domain.marks)
        criteria = YamlSeq()
        criteria.extend(domain.get("criteria") or [])
        criteria.marks = list(getattr(domain.get("criteria"), "marks", [doc.root] * len(criteria)))
        copy["criteria"] = criteria
        domains.append(copy)
        domains.marks.append(doc.root)
        index[str(domain.get("id"))] = copy
    # `remove` drops the base's criteria before the extension's are added, so that removing an id
    # and giving it again replaces the criterion.
    removals = extension.get("remove") or []
    if not isinstance(removals, list):
        problems.append(doc.diagnostic("invalid-value", "`remove` must be a list of criterion ids", ("remove",)))
        removals = []
    known = {str(c.get("id")) for d in domains for c in d["criteria"] if isinstance(c, dict)}
    for ri, ident in enumerate(removals):
        if not isinstance(ident, str) or ident not in known:
            problems.append(
                doc.diagnostic(
                    "unknown-criterion",
                    f"cannot remove unknown criterion {ident!r}",
                    ("remove", ri),
                    hint=did_you_mean(ident, known),
                )
            )
    drop = set(map(str, removals))
    for domain in domains:
        kept = YamlSeq()
        for position, criterion in zip(domain["criteria"].marks, domain["criteria"], strict=False):
            if not (isinstance(criterion, dict) and str(criterion.get("id")) in drop):
                kept.append(criterion)
                kept.marks.append(position)
        domain["criteria"] = kept
    for key, value in extension.items():
        if key in _EXTENSION_KEYS:
            continue
        if key != "domains":
            merged[key] = value
            merged.marks[key] = extension.marks[key]
            continue
        if not isinstance(value, YamlSeq):
            merged[key] = value
            merged.marks[key] = extension.marks[key]
            continue
        for position, domain in zip(value.marks, value, strict=True):
            target = index.get(str(domain.get("id"))) if isinstance(domain, dict) else None
            if target is None:
                domains.append(domain)
                domains.marks.append(position)
                continue
            for dkey, dvalue in domain.items():
                if dkey == "criteria" and isinstance(dvalue, YamlSeq):
                    target["criteria"].extend(dvalue)
                    target["criteria"].marks.extend(dvalue.marks)
                elif dkey != "id":
                    target[dkey] = dvalue
                    target.marks[dkey] = domain.marks[dkey]
        merged["domains"] = domains
        merged.marks["domains"] = extension.marks["domains"]
    if "domains" not in extension:
        merged["domains"] = domains
        merged.marks["domains"] = doc.root, doc.root
    return merged, problems


@remembered
def plugin_libraries() -> tuple[tuple[Path, PluginRef], ...]:
    """(folder, plugin) of the rubric libraries installed packages ship (entry point group
    aiassure.rubrics): a package holding the files, a folder path, or a function returning one."""
    found = []
    for plugin in discover(RUBRICS):
        loaded = plugin.load()
        if loaded is None:
            continue
        folder = _library_folder(loaded)
        if folder is None or not folder.is_dir():
            warn(plugin, "names no folder of rubric files")
            continue
        found.append((folder.resolve(), plugin.ref))
    return tuple(found)


def _library_folder(loaded: object) -> Path | None:
    if isinstance(loaded, ModuleType):
        folders = list(getattr(loaded, "__path__", []))
        return Path(folders[0]) if folders else None
    if callable(loaded):
        loaded = loaded()
    return Path(loaded) if isinstance(loaded, (str, os.PathLike)) else None


_INDEXED_KEPT = 16  # parsed documents the index keeps for loading (see RubricLibrary._indexed)


class RubricLibrary:
    """Rubric search path: --rubric-dir, AIASSURE_RUBRIC_PATH, the built-in library, then plugins' libraries."""

    _cache: dict[tuple[Any, ...], LoadedRubric] = {}

    def __init__(
        self, dirs: list[Path] | tuple[Path, ...] = (), *, use_env: bool = True, use_plugins: bool = True
    ) -> None:
        env = [Path(p) for p in os.environ.get(ENV_PATH, "").split(os.pathsep) if p] if use_env else []
        self.searched: list[Path] = [*dirs, *env, BUILTIN_DIR]
        self.use_plugins = use_plugins
        self._index: list[tuple[str, str, Path]] | None = None
        self._real_paths: dict[Path, Path] = {}  # resolving symlinks walks the path: once per file is enough
        # The documents the index parsed, by path, with the size and modification time they were
        # read at: loading one of them then takes its document instead of parsing the file again
        # (a rubric is 60 KB of YAML, a tenth of `validate one.yaml`). Each is taken once, and
        # only the first few are kept, so memory stays bounded however large the search path.
        self._indexed: dict[Path, tuple[tuple[int, int], Document]] = {}
        self.problems: list[Diagnostic] = []

    @cached_property
    def plugin_dirs(self) -> dict[Path, PluginRef]:
        """The plugins' rubric folders (docs/plugins.md), searched after the built-in library so that
        none can shadow a built-in rubric; found when the search first needs them."""
        return dict(plugin_libraries()) if self.use_plugins else {}

    @property
    def dirs(self) -> list[Path]:
        """The search path, first match first: --rubric-dir, AIASSURE_RUBRIC_PATH, built-in, plugins."""
        return [*self.searched, *self.plugin_dirs]

    def entries(self) -> list[tuple[str, str, Path]]:
        """(id, version, path) of every rubric on the search path, earlier directories first."""
        if self._index is None:
            index: list[tuple[str, str, Path]] = []
            for directory in self.dirs:
                if not directory.is_dir():
                    self.problems.append(
                        Diagnostic(
                            "no-such-dir", "rubric directory does not exist", Location(str(directory)), "", "warning"
                        )
                    )
                    continue
                for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
                    try:
                        stat = path.stat()  # before the read: a file changed since is read again
                    except OSError:  # load_file says why
                        stat = None
                    try:
                        doc = load_file(path)
                    except InputError as exc:
                        self.problems.extend(exc.diagnostics)
                        continue
                    data = doc.data
                    if stat is not None and len(self._indexed) < _INDEXED_KEPT:
                        self._indexed[path] = ((stat.st_mtime_ns, stat.st_size), doc)
                    if isinstance(data, dict) and isinstance(data.get("id"), str) and data.get("version") is not None:
                        index.append((data["id"], str(data["version"]), path))
            self._index = index
        return self._index

    def available(self) -> list[str]:
        return sorted({f"{ident}@{version}" for ident, version, _ in self.entries()})

    def resolve(
        self,
        ref: str,
        *,
        relative_to: Path | None = None,
        where: Location | None = None,
        by_id: bool = False,
        _chain: tuple[str, ...] = (),
    ) -> LoadedRubric:
        """A rubric by `id@version`, bare `id` (newest version) or a file path. A path named by a
        file (`relative_to`: that file's folder) must stay inside that folder (`fsutil.confined`;
        RubricPathRefused otherwise), and a file it names that is not a rubric is refused without
        a word of its content. With `by_id` (a reference read from a result or a response), a
        path is never followed: it names no rubric."""
        if is_path_ref(ref) and by_id:
            raise _located_error(
                where or Location(ref),
                "unknown-rubric",
                f"{ref!r} is not a rubric id@version",
                "a result or response names its rubric by id and version",
            )
        if is_path_ref(ref):
            named_by_file = relative_to is not None
            if relative_to is not None:
                try:
                    path = confined(relative_to, ref, "the folder of the file naming it")
                except Unconfined as exc:
                    raise RubricPathRefused(ref, exc.reason, where) from None
            else:
                path = Path(ref)
            try:
                exists = path.is_file()
            except OSError:  # for example a name too long for the file system
                exists = False
            if not exists:
                raise _located_error(
                    where or Location(ref),
                    "unknown-rubric",
                    f"rubric file {str(path)!r} does not exist",
                    "give a path relative to the submission file, or id@version",
                )
            return self.load_path(path, where=where, named_by_file=named_by_file, _chain=_chain)
        ident, _, version = ref.partition("@")
        matches = [(v, p) for i, v, p in self.entries() if i == ident and (not version or v == version)]
        if not matches:
            available = self.available()
            hint = did_you_mean(ref, available) or did_you_mean(ident, sorted({a.split("@")[0] for a in available}))
            listing = ", ".join(available) or "none"
            raise _located_error(
                where or Location(ref),
                "unknown-rubric",
                f"unknown rubric {ref!r}; available: {listing}",
                hint or "add the folder holding it with --rubric-dir or AIASSURE_RUBRIC_PATH",
            )
        if not version:
            matches.sort(key=lambda item: version_key(item[0]), reverse=True)
        return self.load_path(matches[0][1], where=where, _chain=_chain)

    def builtin_ids(self) -> set[str]:
        """The ids of the built-in library's rubrics: a rubric given by path may not use one."""
        return {ident for ident, _, path in self.entries() if path.parent == BUILTIN_DIR}

    def load_path(
        self, path: Path, *, where: Location | None = None, named_by_file: bool = False, _chain: tuple[str, ...] = ()
    ) -> LoadedRubric:
        """A rubric file, refused when its id@version names another text on the search path. With
        `named_by_file`, the file was named by another file rather than by the user: if it is not
        a rubric, no message quotes it (see `_foreign_document`)."""
        loaded = self._load_path(path, where=where, named_by_file=named_by_file, _chain=_chain)
        self._check_pinned(loaded, path, where)
        return loaded

    def _check_pinned(self, loaded: LoadedRubric, path: Path, where: Location | None) -> None:
        """`id@version` names exactly one fingerprint: another file on the search path (the built-in
        library included) with the same id and version but another text makes both unusable."""
        mine = self._real_paths.get(path) or path.resolve()
        for ident, version, other_path in self.entries():
            if ident != loaded.id or version != loaded.version:
                continue
            if (self._real_paths.get(other_path) or other_path.resolve()) == mine:
                continue
            try:
                other = self._load_path(other_path)
            except AiassureError:  # an invalid file names no rubric
                continue
            if other.fingerprint != loaded.fingerprint:
                builtin = other_path.parent == BUILTIN_DIR
                message = (
                    f"rubric {loaded.ref} in {path} is not the text of {loaded.ref} "
                    + ("in the built-in library" if builtin else f"in {other_path}")
                    + f" (fingerprint {loaded.fingerprint[:12]}… against {other.fingerprint[:12]}…): "
                    "one id@version names one rubric"
                )
                raise InputError(
                    message,
                    [
                        Diagnostic(
                            "rubric-conflict",
                            message,
                            where or Location(str(path)),
                            hint="give the changed rubric its own id or a new version",
                        )
                    ],
                )

    def _load_path(
        self, path: Path, *, where: Location | None = None, named_by_file: bool = False, _chain: tuple[str, ...] = ()
    ) -> LoadedRubric:
        resolved = self._real_paths.get(path)
        if resolved is None:
            if len(self._real_paths) >= 1024:  # relative refs from many folders: stay bounded
                self._real_paths.clear()
            resolved = self._real_paths[path] = path.resolve()
        stat = resolved.stat()
        key = (str(resolved), stat.st_mtime_ns, stat.st_size, tuple(map(str, self.dirs)))
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if str(resolved) in _chain:
            raise InputError(
                "extends cycle",
                [
                    Diagnostic(
                        "extends-cycle",
                        "rubrics extend each other in a cycle: " + " -> ".join([*_chain, str(resolved)]),
                        where or Location(str(path)),
                    )
                ],
            )
        if len(_chain) >= MAX_EXTENDS_DEPTH:  # each level is a Python stack frame or three
            raise InputError(
                "extends too deep",
                [
                    Diagnostic(
                        "extends-too-deep",
                        f"more than {MAX_EXTENDS_DEPTH} rubrics extend one another in a chain",
                        where or Location(str(path)),
                    )
                ],
            )
        indexed = self._indexed.pop(path, None)
        if named_by_file:
            doc = _foreign_document(path)
        elif indexed is not None and indexed[0] == (stat.st_mtime_ns, stat.st_size):
            doc = indexed[1]
        else:
            doc = load_file(path)
        loaded = self._load(doc, (*_chain, str(resolved)), str(path), self.plugin_dirs.get(resolved.parent))
        self._cache[key] = loaded
        return loaded

    def load_document(self, doc: Document) -> LoadedRubric:
        """A rubric from an already parsed document (not cached)."""
        return self._load(doc, (), doc.file)

    def _load(
        self, doc: Document, chain: tuple[str, ...], source: str, plugin: PluginRef | None = None
    ) -> LoadedRubric:
        data = doc.data
        plugins = {plugin} if plugin is not None else set()
        if not isinstance(data, YamlMap):
            raise InputError(
                "not a rubric", [doc.diagnostic("not-a-mapping", "a rubric file must be a YAML mapping", ())]
            )
        problems: list[Diagnostic] = text_diagnostics(doc)  # this file's own texts, before any base is merged
        if "extends" in data:
            ref = data["extends"]
            if not isinstance(ref, str) or ("@" not in ref and not ref.endswith((".yaml", ".yml"))):
                raise InputError(
                    "bad extends",
                    [
                        doc.diagnostic(
                            "invalid-value",
                            f"`extends` must be id@version or the path of a .yaml file, got {ref!r}",
                            ("extends",),
                        )
                    ],
                )
            for required in ("id", "version"):
                if required not in data:
                    problems.append(
                        doc.diagnostic(
                            "missing-key", f"an extension needs its own {required!r}", (), hint=f"add `{required}:`"
                        )
                    )
            try:
                base = self.resolve(
                    ref, relative_to=doc.path.parent if doc.path else None, where=doc.locate(("extends",)), _chain=chain
                )
            except NotFoundError as exc:  # a missing base makes this rubric invalid, not missing
                raise InputError(exc.message, exc.diagnostics) from None
            plugins.update(base.plugins)
            data, merge_problems = _merge(base.raw, data, doc)
            problems.extend(merge_problems)
            doc = Document(doc.file, data, doc.sha256, doc.root, doc.path, doc.raw)
        elif "remove" in data:
            problems.append(
                doc.diagnostic(
                    "remove-without-extends", "`remove` is only allowed with `extends`", ("remove",), key=True
                )
            )
        try:
            model = Rubric.model_validate({k: v for k, v in data.items() if k not in _EXTENSION_KEYS})
        except ValidationError as exc:
            problems.extend(pydantic_diagnostics(doc, exc, Rubric))
            raise InputError(f"{doc.file}: invalid rubric", problems) from None
        problems.extend(lint(model, doc))
        errors = [p for p in problems if p.is_error]
        if errors:
            raise InputError(f"{doc.file}: invalid rubric", problems)
        fingerprint = hashlib.sha256(canonical_json(canonical_dump(model)).encode()).hexdigest()
        return LoadedRubric(model, fingerprint, source, tuple(problems), tuple(sorted(plugins)), data)


__all__ = ["BUILTIN_DIR", "LoadedRubric", "RubricLibrary", "applies_if_cycle", "version_key"]

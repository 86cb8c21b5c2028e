"""Finding rubrics (SPEC 5 search path), resolving `extends` (SPEC 3.6) and fingerprints (SPEC 3.8)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from aiassure.canonical import canonical_json
from aiassure.errors import AiassureError, InputError, NotFoundError
from aiassure.rubrics import loader
from aiassure.rubrics.loader import ENV_PATH, RubricLibrary
from aiassure.rubrics.model import canonical_dump


def rubric(ident: str = "demo", version: str = "1.0.0", **fields: Any) -> dict[str, Any]:
    """A small valid rubric as a mapping; `fields` replace or add top-level keys."""
    data: dict[str, Any] = {
        "id": ident,
        "version": version,
        "title": f"{ident} {version}",
        "subject": "organisation",
        "domains": [
            {
                "id": "gov",
                "title": "Governance",
                "pillar": "safe",
                "criteria": [
                    {"id": "gov-01", "question": "Owner?", "weight": 2},
                    {"id": "gov-02", "question": "Safety case?", "type": "yes_no"},
                ],
            },
            {
                "id": "data",
                "title": "Data",
                "pillar": "ethical",
                "criteria": [
                    {"id": "dp-01", "question": "DPIA?", "applies_if": [{"criterion": "gov-02", "in": ["yes"]}]}
                ],
            },
        ],
    }
    data.update(fields)
    return data


def put(folder: Path, name: str, data: dict[str, Any] | str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts with AIASSURE_RUBRIC_PATH unset, whatever the environment says."""
    monkeypatch.delenv(ENV_PATH, raising=False)


@pytest.fixture
def builtin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty stand-in for the built-in library, so that the tests do not depend on what ships."""
    folder = tmp_path / "builtin"
    folder.mkdir()
    monkeypatch.setattr(loader, "BUILTIN_DIR", folder)
    return folder


# --- the search path -------------------------------------------------------------------------------


def test_the_search_path_is_rubric_dirs_then_the_environment_then_the_built_in_library(
    tmp_path, monkeypatch, builtin
) -> None:
    one, two, env_a, env_b = (tmp_path / name for name in ("one", "two", "env-a", "env-b"))
    monkeypatch.setenv(ENV_PATH, f"{env_a}:{env_b}")
    assert RubricLibrary([one, two]).dirs == [one, two, env_a, env_b, builtin]
    assert RubricLibrary([one], use_env=False).dirs == [one, builtin]


def test_the_real_built_in_library_is_searched_last(tmp_path) -> None:
    assert RubricLibrary([tmp_path]).dirs == [tmp_path, loader.BUILTIN_DIR]
    assert loader.BUILTIN_DIR == Path(loader.__file__).parent / "library"


@pytest.mark.usefixtures("builtin")
def test_id_at_version(tmp_path) -> None:
    put(tmp_path / "lib", "a.yaml", rubric(version="1.0.0"))
    put(tmp_path / "lib", "b.yaml", rubric(version="2.0.0"))
    library = RubricLibrary([tmp_path / "lib"])
    loaded = library.resolve("demo@1.0.0")
    assert (loaded.ref, loaded.id, loaded.version) == ("demo@1.0.0", "demo", "1.0.0")
    assert loaded.source == str(tmp_path / "lib" / "a.yaml")


@pytest.mark.usefixtures("builtin")
def test_a_bare_id_picks_the_newest_version(tmp_path) -> None:
    for version in ("1.2.0", "1.10.0", "1.9.3", "1.10.0-rc.1", "0.9.0"):
        put(tmp_path, f"demo-{version}.yaml", rubric(version=version))
    assert RubricLibrary([tmp_path]).resolve("demo").version == "1.10.0"


@pytest.mark.usefixtures("builtin")
def test_a_bare_id_searches_every_directory(tmp_path) -> None:
    put(tmp_path / "first", "demo.yaml", rubric(version="1.0.0"))
    put(tmp_path / "second", "demo.yaml", rubric(version="1.1.0"))
    assert RubricLibrary([tmp_path / "first", tmp_path / "second"]).resolve("demo").version == "1.1.0"


@pytest.mark.usefixtures("builtin")
def test_a_malformed_version_on_the_path_does_not_break_a_bare_id(tmp_path) -> None:
    put(tmp_path, "broken.yaml", rubric(version="one"))
    put(tmp_path, "good.yaml", rubric(version="1.0.0"))
    assert RubricLibrary([tmp_path]).resolve("demo").version == "1.0.0"


def test_rubric_dirs_come_before_the_environment_which_comes_before_the_built_in(
    tmp_path, monkeypatch, builtin
) -> None:
    # The same text in three places (one id@version names one text: see the next test).
    put(tmp_path / "cli", "demo.yaml", rubric())
    put(tmp_path / "env", "demo.yaml", rubric())
    put(builtin, "demo.yaml", rubric())
    monkeypatch.setenv(ENV_PATH, str(tmp_path / "env"))
    assert RubricLibrary([tmp_path / "cli"]).resolve("demo@1.0.0").source == str(tmp_path / "cli" / "demo.yaml")
    assert RubricLibrary([]).resolve("demo@1.0.0").source == str(tmp_path / "env" / "demo.yaml")
    monkeypatch.delenv(ENV_PATH)
    assert RubricLibrary([]).resolve("demo@1.0.0").source == str(builtin / "demo.yaml")


def test_one_id_and_version_with_two_texts_on_the_search_path_is_refused(tmp_path, monkeypatch, builtin) -> None:
    put(tmp_path / "cli", "demo.yaml", rubric(title="a look-alike"))
    put(builtin, "demo.yaml", rubric(title="built in"))
    monkeypatch.delenv(ENV_PATH, raising=False)
    with pytest.raises(InputError) as caught:
        RubricLibrary([tmp_path / "cli"]).resolve("demo@1.0.0")
    [problem] = caught.value.diagnostics
    assert problem.code == "rubric-conflict" and "built-in library" in problem.message


@pytest.mark.usefixtures("builtin")
def test_the_environment_holds_several_folders_in_order(tmp_path, monkeypatch) -> None:
    put(tmp_path / "a", "demo.yaml", rubric())
    put(tmp_path / "b", "demo.yaml", rubric())
    put(tmp_path / "b", "other.yaml", rubric("other"))
    monkeypatch.setenv(ENV_PATH, f"{tmp_path / 'a'}::{tmp_path / 'b'}")
    library = RubricLibrary()
    assert library.resolve("demo@1.0.0").source == str(tmp_path / "a" / "demo.yaml")
    assert library.resolve("other@1.0.0").id == "other"


@pytest.mark.usefixtures("builtin")
def test_yml_files_are_found_and_other_files_ignored(tmp_path) -> None:
    put(tmp_path, "demo.yml", rubric())
    put(tmp_path, "notes.txt", "id: text\nversion: 1.0.0\n")
    put(tmp_path, "submission.yaml", "rubric: demo@1.0.0\nanswers: {}\n")
    assert RubricLibrary([tmp_path]).available() == ["demo@1.0.0"]


@pytest.mark.usefixtures("builtin")
def test_an_unknown_rubric_lists_what_is_available(tmp_path) -> None:
    put(tmp_path, "demo.yaml", rubric())
    put(tmp_path, "other.yaml", rubric("other", "2.1.0"))
    with pytest.raises(NotFoundError) as raised:
        RubricLibrary([tmp_path]).resolve("demo@9.9.9")
    error = raised.value
    assert "unknown rubric 'demo@9.9.9'; available: demo@1.0.0, other@2.1.0" == error.message
    assert [d.code for d in error.diagnostics] == ["unknown-rubric"]
    assert error.diagnostics[0].hint == "did you mean demo@1.0.0?"


@pytest.mark.usefixtures("builtin")
def test_an_unknown_rubric_id_suggests_the_nearest_id(tmp_path) -> None:
    put(tmp_path, "demo.yaml", rubric())
    with pytest.raises(NotFoundError) as raised:
        RubricLibrary([tmp_path]).resolve("dmeo")
    assert raised.value.diagnostics[0].hint == "did you mean demo?"


@pytest.mark.usefixtures("builtin")
def test_an_unknown_rubric_far_from_any_says_how_to_add_one(tmp_path) -> None:
    with pytest.raises(NotFoundError) as raised:
        RubricLibrary([tmp_path]).resolve("zzz@1.0.0")
    assert raised.value.message.endswith("available: none")
    assert "--rubric-dir" in raised.value.diagnostics[0].hint


@pytest.mark.usefixtures("builtin")
def test_a_missing_rubric_dir_is_a_warning_not_a_failure(tmp_path) -> None:
    library = RubricLibrary([tmp_path / "missing"])
    assert library.entries() == []
    assert [(d.code, d.severity) for d in library.problems] == [("no-such-dir", "warning")]


@pytest.mark.usefixtures("builtin")
def test_a_rubric_by_path_relative_to_a_folder(tmp_path) -> None:
    put(tmp_path / "sub", "local.yaml", rubric("local"))
    library = RubricLibrary([])
    assert library.resolve("sub/local.yaml", relative_to=tmp_path).id == "local"
    assert library.resolve("local.yaml", relative_to=tmp_path / "sub").id == "local"
    # A path named by a file stays in that file's folder (issue 11): an absolute one is refused.
    with pytest.raises(InputError) as refused:
        library.resolve(str(tmp_path / "sub" / "local.yaml"), relative_to=Path("/nowhere"))
    assert refused.value.diagnostics[0].code == "rubric-path"
    with pytest.raises(NotFoundError) as raised:
        library.resolve("nothing.yaml", relative_to=tmp_path)
    assert raised.value.diagnostics[0].code == "unknown-rubric"


@pytest.mark.usefixtures("builtin")
def test_an_invalid_rubric_raises_its_located_errors(tmp_path) -> None:
    path = put(tmp_path, "bad.yaml", rubric(scale=[{"level": 0, "label": "A"}, {"level": 2, "label": "B"}], titel="x"))
    with pytest.raises(InputError) as raised:
        RubricLibrary([]).load_path(path)
    assert {d.code for d in raised.value.diagnostics} == {"unknown-key"}
    assert all(d.location.file == str(path) for d in raised.value.diagnostics)


@pytest.mark.parametrize(("text", "code"), [("- a\n- b\n", "not-a-mapping"), ("id: [\n", "yaml-syntax")])
@pytest.mark.usefixtures("builtin")
def test_a_file_that_is_not_a_rubric(tmp_path, text, code) -> None:
    path = put(tmp_path, "bad.yaml", text)
    with pytest.raises(InputError) as raised:
        RubricLibrary([]).load_path(path)
    assert [d.code for d in raised.value.diagnostics] == [code]


@pytest.mark.usefixtures("builtin")
def test_loaded_rubric_indexes(tmp_path) -> None:
    data = rubric()
    data["domains"][0]["criteria"].insert(
        0,
        {
            "id": "gov-00",
            "question": "Later?",
            "pillar": "effective",
            "applies_if": [{"criterion": "dp-01", "at_least": 1}],
        },
    )
    loaded = RubricLibrary([]).load_path(put(tmp_path, "demo.yaml", data))
    assert list(loaded.criteria) == ["gov-00", "gov-01", "gov-02", "dp-01"]
    assert loaded.pillar_of == {"gov-00": "effective", "gov-01": "safe", "gov-02": "safe", "dp-01": "ethical"}
    assert {ident: d.id for ident, d in loaded.domain_of.items()} == {
        "gov-00": "gov",
        "gov-01": "gov",
        "gov-02": "gov",
        "dp-01": "data",
    }
    assert (loaded.top, loaded.labels[0], loaded.labels[5]) == (5, "Absent", "Optimising")
    order = loaded.evaluation_order
    assert sorted(order) == sorted(loaded.criteria)
    assert order.index("gov-02") < order.index("dp-01") < order.index("gov-00")


@pytest.mark.usefixtures("builtin")
def test_a_rubric_file_is_read_once_per_content(tmp_path) -> None:
    path = put(tmp_path, "demo.yaml", rubric())
    library = RubricLibrary([])
    assert library.load_path(path) is library.load_path(path)


# --- extends ---------------------------------------------------------------------------------------------


def local_extension(**fields: Any) -> dict[str, Any]:
    """local@1.0.0, extending base@1.0.0; `fields` replace or add keys."""
    return {"extends": "base@1.0.0", "id": "local", "version": "1.0.0", **fields}


def base_and_library(tmp_path: Path) -> tuple[Path, RubricLibrary]:
    folder = tmp_path / "lib"
    put(folder, "base.yaml", rubric("base", outcomes=[{"id": "base-outcome", "label": "Base"}]))
    return folder, RubricLibrary([folder])


@pytest.mark.usefixtures("builtin")
def test_extends_merges_domains_and_replaces_other_fields(tmp_path) -> None:
    folder, library = base_and_library(tmp_path)
    path = put(
        folder,
        "local.yaml",
        local_extension(
            version="0.1.0",
            title="Local",
            scale=[{"level": 0, "label": "No"}, {"level": 1, "label": "Partly"}, {"level": 2, "label": "Yes"}],
            pillars=[{"id": "safe", "title": "Safe", "weight": 2}, {"id": "ethical", "title": "Ethical"}],
            overall={"method": "mean"},
            outcomes=[{"id": "local-outcome", "label": "Local"}],
            remove=["gov-01"],
            domains=[
                {"id": "gov", "description": "Merged.", "criteria": [{"id": "gov-03", "question": "New?"}]},
                {
                    "id": "local",
                    "title": "Local",
                    "pillar": "safe",
                    "criteria": [{"id": "loc-01", "question": "Local?"}],
                },
            ],
        ),
    )
    loaded = library.load_path(path)
    model = loaded.model
    assert (loaded.ref, model.title, model.subject) == ("local@0.1.0", "Local", "organisation")
    assert [(d.id, d.title, [c.id for c in d.criteria]) for d in model.domains] == [
        ("gov", "Governance", ["gov-02", "gov-03"]),
        ("data", "Data", ["dp-01"]),
        ("local", "Local", ["loc-01"]),
    ]
    assert model.domains[0].description == "Merged."
    assert [s.label for s in model.scale] == ["No", "Partly", "Yes"]
    assert [(p.id, p.weight) for p in model.pillars] == [("safe", 2.0), ("ethical", 1.0)]
    assert model.overall.method == "mean"
    assert [o.id for o in model.outcomes] == ["local-outcome"]


@pytest.mark.usefixtures("builtin")
def test_remove_then_add_replaces_a_criterion(tmp_path) -> None:
    folder, library = base_and_library(tmp_path)
    path = put(
        folder,
        "local.yaml",
        local_extension(
            remove=["gov-01"],
            domains=[{"id": "gov", "criteria": [{"id": "gov-01", "question": "Replaced?", "type": "yes_no"}]}],
        ),
    )
    loaded = library.load_path(path)
    assert list(loaded.criteria) == ["gov-02", "gov-01", "dp-01"]
    assert (loaded.criteria["gov-01"].question, loaded.criteria["gov-01"].type) == ("Replaced?", "yes_no")


@pytest.mark.usefixtures("builtin")
def test_remove_alone(tmp_path) -> None:
    folder, library = base_and_library(tmp_path)
    path = put(folder, "local.yaml", local_extension(remove=["dp-01"]))
    assert list(library.load_path(path).criteria) == ["gov-01", "gov-02"]


@pytest.mark.usefixtures("builtin")
def test_an_extension_of_an_extension(tmp_path) -> None:
    folder, library = base_and_library(tmp_path)
    put(folder, "middle.yaml", {"extends": "base@1.0.0", "id": "middle", "version": "1.0.0", "remove": ["gov-01"]})
    path = put(
        folder,
        "top.yaml",
        {
            "extends": "middle@1.0.0",
            "id": "top",
            "version": "1.0.0",
            "domains": [{"id": "data", "criteria": [{"id": "dp-02", "question": "More?"}]}],
        },
    )
    assert list(library.load_path(path).criteria) == ["gov-02", "dp-01", "dp-02"]


@pytest.mark.usefixtures("builtin")
def test_the_base_is_not_changed_by_its_extensions(tmp_path) -> None:
    folder, library = base_and_library(tmp_path)
    base = library.resolve("base@1.0.0")
    before = base.fingerprint
    put(
        folder,
        "local.yaml",
        local_extension(
            remove=["gov-01"], domains=[{"id": "gov", "title": "Changed", "criteria": [{"id": "x", "question": "X?"}]}]
        ),
    )
    library.load_path(folder / "local.yaml")
    again = library.resolve("base@1.0.0")
    assert again.fingerprint == before and list(again.criteria) == ["gov-01", "gov-02", "dp-01"]
    assert again.model.domains[0].title == "Governance"


@pytest.mark.parametrize(
    ("extension", "code", "hint"),
    [
        (local_extension(remove=["gov-1"]), "unknown-criterion", "did you mean gov-01?"),
        (local_extension(remove="gov-01"), "invalid-value", ""),
        ({"extends": "base@1.0.0", "version": "1.0.0"}, "missing-key", "add `id:`"),
        ({"extends": "base", "id": "local", "version": "1.0.0"}, "invalid-value", ""),
        (
            local_extension(domains=[{"id": "gov", "criteria": [{"id": "gov-02", "question": "Again?"}]}]),
            "duplicate-id",
            "",
        ),
    ],
    ids=["remove-unknown", "remove-not-a-list", "no-own-id", "extends-without-version", "duplicate-without-remove"],
)
@pytest.mark.usefixtures("builtin")
def test_extension_errors(tmp_path, extension, code, hint) -> None:
    folder, library = base_and_library(tmp_path)
    path = put(folder, "local.yaml", extension)
    with pytest.raises(InputError) as raised:
        library.load_path(path)
    matching = [d for d in raised.value.diagnostics if d.code == code]
    assert matching, [d.format() for d in raised.value.diagnostics]
    assert matching[0].hint == hint


@pytest.mark.usefixtures("builtin")
def test_extends_by_a_path_relative_to_the_extension(tmp_path) -> None:
    put(tmp_path / "local" / "national", "base.yaml", rubric("base"))
    path = put(
        tmp_path / "local",
        "local.yaml",
        {"extends": "national/base.yaml", "id": "local", "version": "1.0.0", "remove": ["dp-01"]},
    )
    assert list(RubricLibrary([]).load_path(path).criteria) == ["gov-01", "gov-02"]


def test_extends_by_a_path_stays_in_the_extensions_folder(tmp_path) -> None:
    """A file names only files in its own folder (issue 11): `../` out of it is refused, unread."""
    put(tmp_path / "national", "base.yaml", rubric("base"))
    path = put(
        tmp_path / "local", "local.yaml", {"extends": "../national/base.yaml", "id": "local", "version": "1.0.0"}
    )
    with pytest.raises(InputError) as raised:
        RubricLibrary([]).load_path(path)
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.code == "rubric-path" and diagnostic.location.line == 1


@pytest.mark.usefixtures("builtin")
def test_extends_cycles_through_paths_are_errors(tmp_path) -> None:
    put(tmp_path, "a.yaml", {"extends": "b.yaml", "id": "a", "version": "1.0.0"})
    put(tmp_path, "b.yaml", {"extends": "a.yaml", "id": "b", "version": "1.0.0"})
    with pytest.raises(InputError) as raised:
        RubricLibrary([]).load_path(tmp_path / "a.yaml")
    assert [d.code for d in raised.value.diagnostics] == ["extends-cycle"]


@pytest.mark.usefixtures("builtin")
def test_extending_an_unknown_rubric(tmp_path) -> None:
    folder, library = base_and_library(tmp_path)
    path = put(folder, "local.yaml", {"extends": "bsae@1.0.0", "id": "local", "version": "1.0.0"})
    with pytest.raises(InputError) as raised:  # the extension is invalid, not missing
        library.load_path(path)
    assert "available: base@1.0.0" in raised.value.message
    assert raised.value.diagnostics[0].hint == "did you mean base@1.0.0?"
    assert str(raised.value.diagnostics[0].location).startswith(f"{path}:1:10")


@pytest.mark.usefixtures("builtin")
def test_extends_cycles_are_errors(tmp_path) -> None:
    folder = tmp_path / "lib"
    put(folder, "a.yaml", {"extends": "b@1.0.0", "id": "a", "version": "1.0.0"})
    put(folder, "b.yaml", {"extends": "a@1.0.0", "id": "b", "version": "1.0.0"})
    put(folder, "self.yaml", {"extends": "self@1.0.0", "id": "self", "version": "1.0.0"})
    library = RubricLibrary([folder])
    for ref in ("a@1.0.0", "self@1.0.0"):
        with pytest.raises(InputError) as raised:
            library.resolve(ref)
        assert [d.code for d in raised.value.diagnostics] == ["extends-cycle"]
        assert "cycle" in raised.value.diagnostics[0].message


# --- fingerprints -----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("builtin")
def test_the_fingerprint_is_the_sha256_of_the_canonical_resolved_rubric(tmp_path) -> None:
    loaded = RubricLibrary([]).load_path(put(tmp_path, "demo.yaml", rubric()))
    assert re.fullmatch(r"[0-9a-f]{64}", loaded.fingerprint)
    expected = hashlib.sha256(canonical_json(canonical_dump(loaded.model)).encode()).hexdigest()
    assert loaded.fingerprint == expected
    assert canonical_json({"b": [1, {"d": 2, "c": "é"}], "a": None}) == '{"a":null,"b":[1,{"c":"é","d":2}]}'


@pytest.mark.usefixtures("builtin")
def test_the_fingerprint_ignores_layout_comments_key_order_and_spelled_out_defaults(tmp_path) -> None:
    library = RubricLibrary([])
    plain = library.load_path(put(tmp_path, "plain.yaml", rubric()))
    data = rubric()
    reordered = {key: data[key] for key in reversed(list(data))}
    reordered["domains"][0]["criteria"][1]["weight"] = 1.0
    reordered["overall"] = {"method": "min"}
    text = "# a comment\n" + yaml.safe_dump(reordered, sort_keys=True, default_flow_style=True, width=60)
    other = library.load_path(put(tmp_path, "other.yaml", text))
    assert other.fingerprint == plain.fingerprint
    assert RubricLibrary([]).load_path(tmp_path / "plain.yaml").fingerprint == plain.fingerprint


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["domains"][0]["criteria"][0].update(weight=3),
        lambda d: d["domains"][0]["criteria"][0].update(question="Owner? "),
        lambda d: d["domains"][0]["criteria"][0].update(references=[{"framework": "DTAC", "id": "C1.1"}]),
        lambda d: d.update(version="1.0.1"),
        lambda d: d["domains"].reverse(),
    ],
    ids=["weight", "question", "reference", "version", "domain-order"],
)
@pytest.mark.usefixtures("builtin")
def test_the_fingerprint_changes_with_the_content(tmp_path, change) -> None:
    library = RubricLibrary([])
    before = library.load_path(put(tmp_path, "before.yaml", rubric())).fingerprint
    data = rubric()
    change(data)
    assert library.load_path(put(tmp_path, "after.yaml", data)).fingerprint != before


@pytest.mark.usefixtures("builtin")
def test_removing_a_criterion_others_depend_on_is_an_error(tmp_path) -> None:
    folder, library = base_and_library(tmp_path)
    path = put(folder, "local.yaml", local_extension(remove=["gov-02"]))
    with pytest.raises(InputError) as raised:
        library.load_path(path)
    errors = [(d.code, d.path) for d in raised.value.diagnostics if d.is_error]
    assert errors == [("unknown-criterion", "domains[1].criteria[0].applies_if[0].criterion")]


@pytest.mark.usefixtures("builtin")
def test_an_extension_equals_its_flat_copy(tmp_path) -> None:
    folder, library = base_and_library(tmp_path)
    extension = library.load_path(
        put(
            folder,
            "local.yaml",
            local_extension(
                remove=["gov-01"], domains=[{"id": "data", "criteria": [{"id": "dp-02", "question": "More?"}]}]
            ),
        )
    )
    flat = rubric("local", outcomes=[{"id": "base-outcome", "label": "Base"}], title="base 1.0.0")
    flat["domains"][0]["criteria"].pop(0)
    flat["domains"][1]["criteria"].append({"id": "dp-02", "question": "More?"})
    assert RubricLibrary([]).load_path(put(tmp_path / "flat", "flat.yaml", flat)).fingerprint == extension.fingerprint


@pytest.mark.usefixtures("builtin")
def test_an_extension_changes_fingerprint_with_its_base(tmp_path) -> None:
    fingerprints = []
    for weight in (1, 2):
        folder = tmp_path / f"lib-{weight}"
        base = rubric("base")
        base["domains"][0]["criteria"][1]["weight"] = weight
        put(folder, "base.yaml", base)
        put(folder, "local.yaml", local_extension())
        fingerprints.append(RubricLibrary([folder]).load_path(folder / "local.yaml").fingerprint)
    assert fingerprints[0] != fingerprints[1]


@pytest.mark.usefixtures("builtin")
def test_every_error_a_library_raises_is_an_aiassure_error(tmp_path) -> None:
    with pytest.raises(AiassureError):
        RubricLibrary([tmp_path]).resolve("nothing")


def test_a_rubric_is_read_once_by_the_index_and_its_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolving `id@version` reads each file on the search path once: the load takes the document
    the index parsed (issue 20: the named rubric was read and parsed twice)."""
    from collections import Counter

    import aiassure.source as source

    reads: Counter[str] = Counter()
    real_read = source.read_bytes

    def counting_read(path: Path, **kwargs: Any) -> bytes:
        reads[Path(path).name] += 1
        return real_read(path, **kwargs)

    (tmp_path / "demo.yaml").write_text(yaml.safe_dump(rubric()))
    (tmp_path / "other.yaml").write_text(yaml.safe_dump(rubric("other")))
    monkeypatch.setattr(source, "read_bytes", counting_read)
    monkeypatch.setattr(RubricLibrary, "_cache", {})
    library = RubricLibrary([tmp_path], use_env=False, use_plugins=False)
    loaded = library.resolve("demo@1.0.0")
    assert loaded.ref == "demo@1.0.0"
    assert reads["demo.yaml"] == 1 and reads["other.yaml"] == 1
    assert all(count == 1 for count in reads.values()), reads


def test_a_rubric_changed_after_the_index_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index's document is used only while the file is as it was read: a file rewritten since
    is loaded from its new text."""
    import os

    path = tmp_path / "demo.yaml"
    path.write_text(yaml.safe_dump(rubric()))
    monkeypatch.setattr(RubricLibrary, "_cache", {})
    library = RubricLibrary([tmp_path], use_env=False, use_plugins=False)
    assert ("demo", "1.0.0") in [entry[:2] for entry in library.entries()]
    before = path.stat()
    path.write_text(yaml.safe_dump(rubric(title="Demo, rewritten")))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000))
    assert library.resolve("demo@1.0.0").model.title == "Demo, rewritten"

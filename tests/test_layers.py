"""The package's layers, read from its source: every import goes to its own layer or one before it."""

from __future__ import annotations

import ast
from pathlib import Path

import aiassure

PACKAGE = Path(aiassure.__file__).parent
# Data flows one way (docs/architecture.md): a module imports only from its own layer or the ones above it
# in this list. "core" is the package's top-level modules (errors, source, diagnostics, files, batches).
LAYERS = ("core", "rubrics", "assessments", "registry", "interop", "reports", "service", "commands", "cli")
TOP_LEVEL = {"cli": "cli", "__main__": "cli"}
# What two commands share lives in the library or in commands/common.py.
SHARED_COMMAND_MODULES = {"aiassure.commands", "aiassure.commands.common"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    """The layer of a module of the package: its subpackage, or core (cli) for a top-level module."""
    parts = module.split(".")
    if len(parts) == 1:
        return "core"
    if (PACKAGE / parts[1]).is_dir():
        return parts[1]
    return TOP_LEVEL.get(parts[1], "core")


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import of the package's own modules in a file, at any depth (lazy ones too)."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.split(".")[0] == "aiassure"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "aiassure":
                continue
            # `from . import x` names a module x when the package holds one
            names = [f"{target}.{alias.name}" for alias in node.names]
            modules = [n for n in names if _is_module(n)]
            found += [(node.lineno, m) for m in modules] or [(node.lineno, target)]
    return found


def _is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def violations() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        importer = module_name(path)
        layer = layer_of(importer)
        if layer not in LAYERS:
            found.append(f"{path}: package {layer} has no place in LAYERS")
            continue
        for line, target in imported(path):
            where = f"{path.relative_to(PACKAGE.parent)}:{line}: {importer} imports {target}"
            target_layer = layer_of(target)
            if target_layer not in LAYERS:
                found.append(f"{where}, whose package has no place in LAYERS")
            elif LAYERS.index(target_layer) > LAYERS.index(layer):
                found.append(f"{where}: {target_layer} comes after {layer}")
            elif (
                layer == "commands"
                and target_layer == "commands"
                and importer not in SHARED_COMMAND_MODULES
                and target not in SHARED_COMMAND_MODULES
                and not _same_command(importer, target)
            ):
                found.append(f"{where}: commands share code through commands/common.py, not each other")
    return found


def _same_command(importer: str, target: str) -> bool:
    """A command may be a package (`commands/assess/`): its modules import each other freely."""
    return importer.split(".")[:3] == target.split(".")[:3]


def test_every_import_follows_the_layer_order() -> None:
    assert violations() == []


def test_the_walker_sees_relative_lazy_and_absolute_imports(tmp_path: Path) -> None:
    """The check itself: what it reads from a module that imports every way there is."""
    path = PACKAGE / "registry" / "intake.py"
    targets = {target for _, target in imported(path)}
    assert "aiassure.assessments.inputs" in targets and "aiassure.batch" in targets
    assert layer_of("aiassure.reports.writer") == "reports" and layer_of("aiassure.errors") == "core"
    assert layer_of("aiassure.cli") == "cli" and layer_of("aiassure") == "core"
    lazy = {target for _, target in imported(PACKAGE / "commands" / "portfolio.py")}
    assert "aiassure.registry.store" in lazy  # imported inside a function

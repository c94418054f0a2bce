"""Two distributions, each with its own pyproject.toml: the server (server/) and the SDK (sdk/).

Neither depends on the other, nothing is listed twice, and every third-party module a distribution imports is
covered by its own declared dependencies (directly or through them), so `pip install ./sdk` or `pip install
./server` alone gives a working package.
"""

from __future__ import annotations

import ast
import re
import sys
from importlib import metadata
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]
DISTRIBUTIONS = {  # directory -> (distribution name, import package)
    "server": ("labelhouse-server", "labelhouse_server"),
    "sdk": ("labelhouse-sdk", "labelhouse"),
}


def project(directory: str) -> dict:
    return tomllib.loads((ROOT / directory / "pyproject.toml").read_text())


def requirement_name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[(@]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def closure(names: set[str]) -> set[str]:
    """The distributions `names` pull in when installed (their requirements, recursively, without extras'
    optional parts beyond those named)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for req in requires:
            marker = req.split(";", 1)[1] if ";" in req else ""
            if "extra ==" in marker and not any(f'extra == "{e}"' in marker for e in ("standard", "binary")):
                continue
            todo.append(requirement_name(req))
    return seen


def imported_top_level_modules(package_dir: Path) -> set[str]:
    modules: set[str] = set()
    for path in package_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module.split(".")[0])
    return modules


def test_the_repository_root_is_not_a_distribution() -> None:
    root = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "project" not in root and "build-system" not in root
    assert "test" in root["dependency-groups"]


@pytest.mark.parametrize("directory", sorted(DISTRIBUTIONS))
def test_each_distribution_packages_only_its_own_import_package(directory: str) -> None:
    dist, package = DISTRIBUTIONS[directory]
    meta = project(directory)
    assert meta["project"]["name"] == dist
    assert meta["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == [f"src/{package}"]


def test_neither_distribution_depends_on_the_other_and_nothing_is_listed_twice() -> None:
    server = {requirement_name(r) for r in project("server")["project"]["dependencies"]}
    sdk = {requirement_name(r) for r in project("sdk")["project"]["dependencies"]}
    assert not server & {"labelhouse-sdk", "labelhouse"}
    assert not sdk & {"labelhouse-server", "labelhouse"}
    # The server pulls in no SDK-only weight (tqdm) and no unused job library. numpy is the server's own need since
    # embeddings (vector maths; usearch requires it too), Pillow since the web app's thumbnails.
    assert not server & {"tqdm", "procrastinate"}
    assert "procrastinate" not in (ROOT / "pyproject.toml").read_text() + (ROOT / "sdk" / "pyproject.toml").read_text()


@pytest.mark.parametrize("directory", sorted(DISTRIBUTIONS))
def test_every_imported_third_party_module_is_a_declared_dependency(directory: str) -> None:
    dist, package = DISTRIBUTIONS[directory]
    declared = closure({requirement_name(r) for r in project(directory)["project"]["dependencies"]})
    providers = metadata.packages_distributions()
    missing = []
    for module in sorted(imported_top_level_modules(ROOT / directory / "src" / package)):
        if module in sys.stdlib_module_names or module in {package, "__future__"}:
            continue
        owners = {d.lower().replace("_", "-") for d in providers.get(module, [module])}
        if not owners & declared:
            missing.append(f"{module} (from {', '.join(sorted(owners))})")
    assert not missing, f"{dist} imports modules none of its dependencies provide: {missing}"


def test_the_sdk_ships_a_py_typed_marker() -> None:
    assert (ROOT / "sdk" / "src" / "labelhouse" / "py.typed").is_file()
    # Installed (editable in the test venv): type checkers look for the marker next to the package.
    import labelhouse

    assert (Path(labelhouse.__file__).parent / "py.typed").is_file()

"""The public surface is declared and honest; the SDK stands alone (never imports the server)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import labelhouse
import tomllib
from labelhouse import exceptions
from labelhouse.models import Dataset, File, Release

SDK = Path(labelhouse.__file__).resolve().parent


def test_all_names_exist_and_every_public_name_is_exported() -> None:
    for name in labelhouse.__all__:
        assert hasattr(labelhouse, name), name
    public = {n for n in vars(labelhouse) if not n.startswith("_")}
    submodules = {"exceptions", "models", "resources", "client", "release", "utils", "pagination", "export"}
    assert public - submodules <= set(labelhouse.__all__) | {"exceptions"}
    assert len(labelhouse.__all__) == len(set(labelhouse.__all__))


def test_exceptions_module_declares_its_tree() -> None:
    for name in exceptions.__all__:
        cls = getattr(exceptions, name)
        assert issubclass(cls, exceptions.SegmentsError)
        assert name in (exceptions.__doc__ or "") or name in ("LabelhouseError", "TimeoutError", "SegmentsError")
    assert "TimeoutError" not in vars(labelhouse)  # the builtin is never shadowed at package level


def test_models_allow_attribute_and_key_access() -> None:
    release = Release.model_validate({"uuid": "r", "name": "v1", "status": "SUCCEEDED",
                                      "attributes": {"url": "http://x/r.json"}, "extra_field": 1})
    assert release["attributes"]["url"] == release.attributes.url == "http://x/r.json"
    assert release["extra_field"] == 1 and "extra_field" in release and "nope" not in release
    assert release.get("nope", 5) == 5
    file = File.model_validate({"uuid": "f", "filename": "a", "url": "u",
                                "presignedPostFields": {"url": "p", "fields": {}}})
    assert file["presignedPostFields"].url == "p"
    dataset = Dataset.model_validate({"name": "d", "full_name": "o/d", "owner": {"username": "o"},
                                      "task_type": "text-span-categorization"})
    assert dict(dataset.items())["task_type"] == "text-span-categorization"


def test_sdk_never_imports_the_server() -> None:
    for path in SDK.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert not name.startswith(("labelhouse_server", "fastapi", "sqlalchemy", "boto3", "starlette")), \
                    f"{path.name} imports {name}"


def test_sdk_imports_with_server_packages_unavailable() -> None:
    code = ("import sys\n"
            "for m in ('labelhouse_server', 'fastapi', 'sqlalchemy', 'boto3', 'starlette', 'pycocotools'):\n"
            "    sys.modules[m] = None\n"
            "import labelhouse, labelhouse.export, labelhouse.release, labelhouse.utils\n"
            "print(labelhouse.SegmentsClient.__name__)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "SegmentsClient"


def test_sdk_distribution_depends_only_on_client_libraries() -> None:
    meta = tomllib.loads((SDK.parents[1] / "pyproject.toml").read_text())["project"]
    names = {d.split(">")[0].split("=")[0].split("<")[0].strip().lower() for d in meta["dependencies"]}
    assert names == {"httpx", "pydantic", "tqdm", "numpy", "pillow"}


def test_submodule_all_lists_are_honest() -> None:
    import labelhouse.export
    import labelhouse.pagination
    import labelhouse.release
    import labelhouse.typing
    import labelhouse.utils

    assert set(labelhouse.typing.__all__) == set(labelhouse.models.__all__)
    for module in (labelhouse.utils, labelhouse.release, labelhouse.export, labelhouse.pagination, exceptions,
                   labelhouse.typing):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
    functions = {n for n, v in vars(labelhouse.utils).items()
                 if callable(v) and not n.startswith("_") and getattr(v, "__module__", "") == "labelhouse.utils"}
    assert functions <= set(labelhouse.utils.__all__)

"""The SDK is typed for its users: it ships ``py.typed``, the async client's methods are coroutines and its
``iter_*`` methods async iterators for a type checker, and the READMEs' examples type-check as written (mypy at
default strictness), while misuse is reported."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "sdk" / "scripts" / "gen_async_api.py"
GENERATED = ROOT / "sdk" / "src" / "labelhouse" / "_async_api.py"

# Each line ending in "# error" must be reported by mypy, and nothing else in this module.
MISUSE = '''
from labelhouse import AsyncSegmentsClient, SegmentsClient


def sync_misuse(client: SegmentsClient) -> None:
    count: int = client.get_dataset("jane/flowers")  # error
    print(count, client.get_sample("uuid").no_such_field)  # error


async def async_misuse(client: AsyncSegmentsClient) -> None:
    print(client.get_dataset("jane/flowers").name)  # error
    for sample in client.iter_samples("jane/flowers"):  # error
        print(sample)
    dataset = await client.get_dataset("jane/flowers")
    name: int = dataset.full_name  # error
    async for s in client.iter_samples("jane/flowers"):
        label_status: int = s.label  # error
        print(name, label_status)
'''


def _generator():
    spec = importlib.util.spec_from_file_location("gen_async_api", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_async_surface_is_generated_from_the_sync_mixins() -> None:
    assert GENERATED.read_text() == _generator().render(), "run `make sdk-types` and commit the result"


def test_every_sync_method_has_its_async_declaration() -> None:
    import inspect

    from labelhouse import AsyncSegmentsClient, SegmentsClient
    from labelhouse._async_api import AsyncResources
    from labelhouse.resources import AllResources

    # (close, with_options and the context manager come from the API client base classes, typed there)
    public = {n for n, v in inspect.getmembers(AllResources, inspect.isfunction) if not n.startswith("_")}
    declared = {n for n, v in vars(AsyncResources).items() if inspect.isfunction(v)}
    assert public == declared
    # paged methods (iter_*, and get_label_history whose seed-given name does not say so) return async iterators
    paged = {n for n in declared if inspect.signature(getattr(AllResources, n)).return_annotation.startswith(
        "Iterator[")}
    assert {n for n in declared if n.startswith("iter_")} <= paged
    assert all(inspect.iscoroutinefunction(getattr(AsyncResources, n)) != (n in paged) for n in declared)
    for name in declared:
        assert hasattr(AsyncSegmentsClient, name)
        wanted = inspect.signature(getattr(SegmentsClient, name)).parameters.keys()
        assert inspect.signature(getattr(AsyncResources, name)).parameters.keys() == wanted, name


def _python_blocks(readme: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", readme.read_text(), re.DOTALL)


def test_readme_examples_type_check_and_misuse_is_reported(tmp_path: Path) -> None:
    examples = {f"sdk_readme_{i}": block for i, block in enumerate(_python_blocks(ROOT / "sdk" / "README.md"))}
    examples["root_readme"] = next(b for b in _python_blocks(ROOT / "README.md")
                                   if "from labelhouse import SegmentsClient" in b)
    assert any("await client.get_dataset(" in b and "async for" in b for b in examples.values())
    for name, code in {**examples, "misuse": MISUSE}.items():
        (tmp_path / f"{name}.py").write_text(code)
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--hide-error-context", "--show-error-codes",
         "--python-version", "3.10", "--cache-dir", str(ROOT / ".cache" / "mypy-readme"),
         *sorted(str(p) for p in tmp_path.glob("*.py"))],
        capture_output=True, text=True, cwd=tmp_path, timeout=600, check=False)
    reported: dict[str, set[int]] = {}
    for line in out.stdout.splitlines():
        match = re.match(r"(?:.*/)?(\w+)\.py:(\d+): error:", line)
        if match:
            reported.setdefault(match[1], set()).add(int(match[2]))
    assert set(reported) <= {"misuse"}, out.stdout  # the README examples are clean
    wanted = {i for i, line in enumerate(MISUSE.splitlines(), 1) if line.endswith("# error")}
    assert reported.get("misuse") == wanted, out.stdout

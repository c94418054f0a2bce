"""Our SegmentsClient has every method of the seed documents with the same names, parameters and defaults.

Seeds parsed: 001 (newest; ``- SegmentsClient.name(params)[source]#`` lines), 002 (``client.name(params)`` /
``name(self, params)`` lines in its Python blocks) and 000 (``.. py:method:: name(self, params)``). Where seeds
disagree on a default, the newest seed that has the parameter wins (001 > 002 > 000); parameters only the older
seeds have must still be accepted with their documented default.
"""

from __future__ import annotations

import ast
import inspect
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import labelhouse
import pytest
from labelhouse import AsyncSegmentsClient, SegmentsClient
from labelhouse.models import enums

# The repository keeps a copy of the seed documents (docs/seeds); test_seed_copy_is_current keeps it honest
# wherever the shared originals are mounted beside the checkout.
SEEDS = Path(__file__).resolve().parents[2] / "docs" / "seeds"
SHARED_SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"

PRECEDENCE = {"001": 3, "002": 2, "000": 1}
NO_DEFAULT = object()


@dataclass
class SeedParam:
    name: str
    default: Any  # NO_DEFAULT when required


def _seed_file(prefix: str) -> Path:
    matches = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    assert matches, f"seed {prefix} not found in {SEEDS}"
    return matches[0]


def _default_value(node: ast.expr) -> Any:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return getattr(getattr(enums, node.value.id), node.attr)  # e.g. TaskType.SEGMENTATION_BITMAP
    return ast.literal_eval(node)


def _parse_params(text: str) -> list[SeedParam]:
    func = ast.parse(f"def f({text}): pass").body[0]
    assert isinstance(func, ast.FunctionDef)
    args = func.args.args
    defaults = [NO_DEFAULT] * (len(args) - len(func.args.defaults)) + [_default_value(d) for d in func.args.defaults]
    return [SeedParam(a.arg, d) for a, d in zip(args, defaults) if a.arg != "self"]


def seed_methods(prefix: str) -> dict[str, list[SeedParam]]:
    text = _seed_file(prefix).read_text()
    if prefix == "001":
        found = re.findall(r"^- SegmentsClient\.(\w+)\((.*)\)\[source\]#$", text, re.MULTILINE)
    elif prefix == "000":
        found = re.findall(r"^\s*\.\. py:method:: (\w+)\((.*)\)\s*$", text, re.MULTILINE)
    else:
        blocks = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
        found = []
        for block in blocks:
            found += re.findall(r"^(?:client\.)?(\w+)\((.*)\)\s*$", block, re.MULTILINE)
        found = [(n, p) for n, p in found if n.startswith(("get_", "add_", "update_", "delete_", "upload_"))]
    methods = {name: _parse_params(params) for name, params in found if not name.startswith("_")}
    return methods


ALL = {prefix: seed_methods(prefix) for prefix in PRECEDENCE}


def test_seeds_parse_to_the_documented_method_counts() -> None:
    assert len(ALL["001"]) == 35  # every "- SegmentsClient.x(...)" entry of seed 001
    assert {"get_datasets", "add_sample", "upload_asset", "get", "post", "close"} <= set(ALL["000"])
    assert {"get_datasets", "get_samples", "add_label", "upload_asset"} <= set(ALL["002"])


def _authoritative() -> dict[str, dict[str, tuple[str, Any]]]:
    """method → param → (seed, default) from the newest seed that documents the parameter."""
    out: dict[str, dict[str, tuple[str, Any]]] = {}
    for prefix in sorted(PRECEDENCE, key=PRECEDENCE.get):  # oldest first; newer overwrite
        for method, params in ALL[prefix].items():
            for p in params:
                out.setdefault(method, {})[p.name] = (prefix, p.default)
    return out


AUTHORITATIVE = _authoritative()


@pytest.mark.parametrize("method", sorted(AUTHORITATIVE))
@pytest.mark.parametrize("client_class", [SegmentsClient, AsyncSegmentsClient])
def test_method_has_seed_parameters_and_defaults(client_class: type, method: str) -> None:
    assert hasattr(client_class, method), f"{client_class.__name__}.{method} is missing"
    ours = inspect.signature(getattr(client_class, method)).parameters
    for name, (seed, default) in AUTHORITATIVE[method].items():
        assert name in ours, f"{method}: parameter {name!r} of seed {seed} is missing"
        our_default = ours[name].default
        if default is NO_DEFAULT:
            assert our_default is inspect.Parameter.empty, f"{method}({name}) must be required (seed {seed})"
        else:
            assert our_default is not inspect.Parameter.empty, f"{method}({name}) needs a default (seed {seed})"
            assert our_default == default, f"{method}({name}): default {our_default!r} != {default!r} (seed {seed})"
    for name, param in ours.items():
        if name == "self" or name in AUTHORITATIVE[method]:
            continue
        assert param.default is not inspect.Parameter.empty, f"{method}: extra parameter {name!r} needs a default"


@pytest.mark.parametrize("method", sorted(ALL["001"]))
def test_positional_order_of_seed_001(method: str) -> None:
    ours = [p for p in inspect.signature(getattr(SegmentsClient, method)).parameters if p != "self"]
    seed = [p.name for p in ALL["001"][method]]
    assert ours[:len(seed)] == seed


def test_constructor_accepts_the_seed_000_arguments() -> None:
    params = inspect.signature(SegmentsClient.__init__).parameters
    assert list(params)[1:3] == ["api_key", "api_url"]
    # Deliberate difference: api_url defaults to a local labelhouse (or LABELHOUSE_API_URL), not api.segments.ai.
    assert params["api_url"].default is None


def test_async_client_mirrors_the_sync_surface() -> None:
    public = {n for n in dir(SegmentsClient) if not n.startswith("_")}
    assert public == {n for n in dir(AsyncSegmentsClient) if not n.startswith("_")}
    for name in public:
        sync_attr, async_attr = getattr(SegmentsClient, name), getattr(AsyncSegmentsClient, name)
        if callable(sync_attr) and name not in ("close",):
            assert list(inspect.signature(sync_attr).parameters) == list(inspect.signature(async_attr).parameters)


def test_seed_exception_names_exist() -> None:
    text = "\n".join(_seed_file(p).read_text() for p in ("001",))
    named = set(re.findall(r"^(\w+Error) –", text, re.MULTILINE))
    assert named >= {"ValidationError", "APILimitError", "NotFoundError", "NetworkError", "TimeoutError",
                     "AlreadyExistsError"}
    for name in named - {"KeyError"}:  # add_samples raises the builtin KeyError for a sample without a name
        assert issubclass(getattr(labelhouse.exceptions, name), labelhouse.SegmentsError), name


def test_seed_copy_is_current() -> None:
    copies = sorted(p.name for p in SEEDS.glob("*.txt"))
    assert len(copies) >= 5
    if SHARED_SEEDS.exists():
        assert copies == sorted(p.name for p in SHARED_SEEDS.glob("*.txt"))
        for name in copies:
            assert (SEEDS / name).read_bytes() == (SHARED_SEEDS / name).read_bytes(), name

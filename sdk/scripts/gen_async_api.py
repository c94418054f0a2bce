"""Write ``src/labelhouse/_async_api.py``: the typed surface of ``AsyncSegmentsClient``.

The async client runs the same resource mixins as the sync client (each method describes its request, the
client's primitives send it), so at run time there is one implementation. Type checkers, though, must see
``async def get_dataset(...) -> Dataset`` and ``def iter_samples(...) -> AsyncIterator[Sample]``; this script
derives those declarations from the sync mixins' signatures, so they are never written by hand.
``tests/sdk/test_async_types.py`` fails when the committed file differs from what this script writes.

    python sdk/scripts/gen_async_api.py          # rewrite the file (make sdk-types)
"""

from __future__ import annotations

import builtins
import enum
import inspect
import re
import sys
import types
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "src" / "labelhouse" / "_async_api.py"
HEADER = '''# mypy: disable-error-code="empty-body"
"""The typed surface of :class:`labelhouse.AsyncSegmentsClient` (generated; do not edit).

Written by ``sdk/scripts/gen_async_api.py`` from the sync resource mixins: every method is a coroutine returning
what the sync method returns, and ``iter_*`` methods return async iterators. Only type checkers read this module;
at run time the async client runs the same mixins as the sync client with awaitable primitives.
"""

from __future__ import annotations

'''
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
STRING = re.compile(r"'[^']*'|\"[^\"]*\"")


def identifiers(annotation: str) -> list[str]:
    return IDENTIFIER.findall(STRING.sub("", annotation))


def _importer(imports: dict[str, set[str]], plain: set[str], module_globals: dict[str, object],
              defining_module: str):
    def need(name: str) -> None:
        head = name.split(".")[0]
        if hasattr(builtins, head) or head == "None":
            return
        obj = module_globals[head]
        if isinstance(obj, types.ModuleType):
            plain.add(obj.__name__)
            return
        source = getattr(obj, "__module__", None)
        if getattr(obj, "__name__", None) != head or not source or source.startswith("builtins"):
            source = defining_module  # an alias defined (or re-exported) by the mixin's own module
        imports.setdefault(source, set()).add(head)

    return need


def _default(value: object, need, module_globals: dict[str, object]) -> str:
    if isinstance(value, enum.Enum):
        need(type(value).__name__)
        return f"{type(value).__name__}.{value.name}"
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return repr(value)
    for name, obj in module_globals.items():
        if obj is value and not name.startswith("__"):
            need(name)
            return name
    raise ValueError(f"cannot spell the default {value!r}")


def render() -> str:
    sys.path.insert(0, str(TARGET.parents[1]))
    from labelhouse.resources import AllResources

    imports: dict[str, set[str]] = {"collections.abc": {"AsyncIterator"}}
    plain: set[str] = set()
    methods: list[str] = []
    seen: set[str] = set()
    for name in sorted(n for n in dir(AllResources) if not n.startswith("_")):
        func = getattr(AllResources, name)
        if not inspect.isfunction(func) or name in seen:
            continue
        seen.add(name)
        module_globals = func.__globals__
        need = _importer(imports, plain, module_globals, func.__module__)
        signature = inspect.signature(func)
        params = []
        star_done = False
        for param in signature.parameters.values():
            text = param.name
            if param.kind is param.KEYWORD_ONLY and not star_done:
                params.append("*")
                star_done = True
            elif param.kind is param.VAR_POSITIONAL:
                text = "*" + text
                star_done = True
            elif param.kind is param.VAR_KEYWORD:
                text = "**" + text
            if param.annotation is not param.empty:
                for ident in identifiers(param.annotation):
                    need(ident)
                text += f": {param.annotation}"
            if param.default is not param.empty:
                text += f" = {_default(param.default, need, module_globals)}"
            params.append(text)
        returns = signature.return_annotation
        for ident in identifiers(returns):
            need(ident)
        if name.startswith("iter_") or returns.startswith("Iterator["):  # paged: an async iterator, not awaited
            assert returns.startswith("Iterator["), (name, returns)
            returns = "Async" + returns
            head = f"    def {name}("
        else:
            head = f"    async def {name}("
        line = head + ", ".join(params) + f") -> {returns}:"
        if len(line) > 110:
            line = head + "\n" + "".join(f"        {p},\n" for p in params) + f"    ) -> {returns}:"
        body = [line]
        doc = inspect.getdoc(func)
        if doc:
            text = "\n".join(f"        {d}".rstrip() if i else d for i, d in enumerate(doc.splitlines()))
            body.append(f'        """{text}"""')
        else:
            body.append("        ...")
        methods.append("\n".join(body))
    imports["collections.abc"].discard("Iterator")  # paged methods return AsyncIterator
    out = [HEADER]
    stdlib = {m: n for m, n in imports.items() if m.split(".")[0] in sys.stdlib_module_names}
    ours = {m: n for m, n in imports.items() if m not in stdlib}
    for group_plain, group in ((sorted(plain), stdlib), ([], ours)):
        out.extend(f"import {module}\n" for module in group_plain)
        for module in sorted(group):
            names = sorted(group[module], key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n))
            out.append(f"from {module} import {', '.join(names)}\n")
        out.append("\n")
    out.append("\nclass AsyncResources:\n")
    out.append('    """Every API method of the SegmentsClient surface, awaitable (declarations only: the bodies are\n'
               '    never run)."""\n\n')
    out.append("\n\n".join(methods) + "\n")
    return "".join(out)


if __name__ == "__main__":
    TARGET.write_text(render())
    print(f"wrote {TARGET}")

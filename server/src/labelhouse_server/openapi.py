"""Write the OpenAPI description to stdout or a file: ``python -m labelhouse_server.openapi docs/openapi.json``.

The committed snapshot (docs/openapi.json) is kept in step with the code by tests/server/api/test_openapi.py."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any


def current_spec() -> dict[str, Any]:
    from .app import create_app
    from .settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/spec.sqlite3"))
        spec = app.openapi()
        app.state.engine.dispose()
    return spec


def render(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = render(current_spec())
    if argv:
        Path(argv[0]).parent.mkdir(parents=True, exist_ok=True)
        Path(argv[0]).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

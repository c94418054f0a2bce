"""Fetch the official segments-ai 1.33.0 test files from its PyPI sdist (never committed to our repository).

The sdist is downloaded once with pip into ``<repo>/.cache/segments-ai-sdist/`` (gitignored), checked against the
pinned sha256, and re-used by later runs. Only its ``tests/`` directory is extracted, into a per-run work directory.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

SDK_VERSION = "1.33.0"
SDIST_NAME = f"segments_ai-{SDK_VERSION}.tar.gz"
# sha256 of the file PyPI serves for segments-ai==1.33.0 (pinned so a changed or corrupt download is noticed).
SDIST_SHA256 = "b93524bfa2655f6abc5e57a21e2deebe8152601bd2db13e819b2c09f4ec4037f"

REPO_ROOT = Path(__file__).resolve().parents[3]
CACHE_DIR = REPO_ROOT / ".cache" / "segments-ai-sdist"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sdist_path() -> Path:
    """The cached sdist, downloading it with pip first if it is missing or does not match the pinned hash."""
    target = CACHE_DIR / SDIST_NAME
    if target.is_file() and _sha256(target) == SDIST_SHA256:
        return target
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    # Download into a private directory and rename into place, so concurrent runs never see half a file.
    with tempfile.TemporaryDirectory(dir=CACHE_DIR) as tmp:
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
             "--disable-pip-version-check", "-d", tmp, f"segments-ai=={SDK_VERSION}"],
            check=False, capture_output=True, text=True, timeout=300,
        )
        downloaded = Path(tmp) / SDIST_NAME
        if proc.returncode != 0 or not downloaded.is_file():
            raise RuntimeError(f"pip download of segments-ai=={SDK_VERSION} failed:\n{proc.stdout}\n{proc.stderr}")
        actual = _sha256(downloaded)
        if actual != SDIST_SHA256:
            raise RuntimeError(f"{SDIST_NAME} has sha256 {actual}, expected {SDIST_SHA256}")
        os.replace(downloaded, target)
    return target


def extract_tests(dest: Path) -> Path:
    """Extract the sdist's ``tests/*.py`` into ``dest/tests`` and return that directory."""
    prefix = f"segments_ai-{SDK_VERSION}/tests/"
    tests_dir = dest / "tests"
    tests_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(sdist_path()) as tar:
        for member in tar.getmembers():
            if not (member.isfile() and member.name.startswith(prefix) and member.name.endswith(".py")):
                continue
            relative = member.name[len(prefix):]
            if "/" in relative:  # the sdist has a flat tests/ directory; ignore anything unexpected
                continue
            source = tar.extractfile(member)
            assert source is not None
            with source, open(tests_dir / relative, "wb") as out:
                shutil.copyfileobj(source, out)
    return tests_dir

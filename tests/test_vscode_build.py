"""The VS Code extension builds: its TypeScript compiles, its grammar and unit tests pass, and
`npm run package` makes a `.vsix` holding the client, the grammars, the snippets and the
language client library. The npm packages are installed by `.ci/setup` (`npm ci`)."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

EXTENSION = Path(__file__).resolve().parent.parent / "vscode-extension"


def npm(*args: str) -> subprocess.CompletedProcess[str]:
    found = shutil.which("npm")
    assert found, "these tests need Node.js 20 and npm"
    assert (EXTENSION / "node_modules" / ".bin" / "vsce").exists(), (
        "the extension's npm packages are missing: run `bash .ci/setup` (or `npm ci` in vscode-extension)")
    return subprocess.run([found, "run", *args], cwd=EXTENSION, capture_output=True, text=True, timeout=300,
                          check=False)


@pytest.mark.parametrize("script", ["compile", "test:grammar", "test:unit"])
def test_npm_script_passes(script: str) -> None:
    result = npm(script)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_the_vsix_builds_with_everything_it_needs(tmp_path: Path) -> None:
    for old in EXTENSION.glob("*.vsix"):
        old.unlink()
    result = npm("package")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (vsix,) = EXTENSION.glob("pml-vscode-*.vsix")
    try:
        names = set(zipfile.ZipFile(vsix).namelist())
    finally:
        vsix.unlink()
    for needed in ("extension/package.json", "extension/out/extension.js", "extension/syntaxes/pml.tmLanguage.json",
                   "extension/syntaxes/pss.tmLanguage.json", "extension/snippets/pml.code-snippets",
                   "extension/language-configuration.json", "extension/readme.md",
                   "extension/node_modules/vscode-languageclient/package.json"):
        assert needed in names, f"{needed} is not in the .vsix"
    assert not any(name.startswith("extension/src/") or name.endswith(".ts") for name in names)

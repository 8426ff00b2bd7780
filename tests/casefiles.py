"""Reading the case files of tests/cases/styles: `### title`, then `--- kind [argument]` sections."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest


@dataclass
class Case:
    """One case: its title, the line it starts on, and its (kind, argument, body) sections."""

    title: str
    line: int
    sections: list[tuple[str, str, str]] = field(default_factory=list)

    def bodies(self, kind: str) -> list[tuple[str, str]]:
        return [(argument, body) for k, argument, body in self.sections if k == kind]

    def body(self, kind: str) -> str | None:
        found = self.bodies(kind)
        return found[0][1] if found else None


def read_cases(path: Path) -> list[Case]:
    cases: list[Case] = []
    lines: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("### "):
            cases.append(Case(line[4:].strip(), number))
        elif line.startswith("--- ") and cases:
            kind, _, argument = line[4:].partition(" ")
            lines = []
            cases[-1].sections.append((kind, argument.strip(), ""))
        elif cases and cases[-1].sections:
            lines.append(line)
            kind, argument, _ = cases[-1].sections[-1]
            cases[-1].sections[-1] = (kind, argument, "\n".join(lines).rstrip("\n"))
    return cases


def case_params(path: Path) -> list[Any]:
    """One pytest parameter per case, named by the file and the case's line."""
    return [pytest.param(case, id=f"{path.stem}:{case.line}") for case in read_cases(path)]

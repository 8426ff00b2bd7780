"""Generate the component and property reference in `docs/language.md` from the registries.

    python -m pml.cli.docgen            # rewrite the generated section of docs/language.md
    python -m pml.cli.docgen --check    # exit 1 if it is out of date (the test suite runs this)

The section between the `BEGIN GENERATED` and `END GENERATED` markers is owned by this script;
everything else in the file is written by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pml import components as _components  # noqa: F401  (registers the catalog)
from pml.registry import GLOBAL_ATTRS, REGISTRY, Attr, Component

BEGIN = "<!-- BEGIN GENERATED: reference (python -m pml.cli.docgen) -->"
END = "<!-- END GENERATED -->"
DOC = Path(__file__).resolve().parents[2] / "docs" / "language.md"


# Type names as the reference shows them (docs/security.md says what each takes).
_TYPE_NAMES = {"binary": "text or bytes", "value": "any value", "any": "any data", "array": "list"}


def _attr_row(attr: Attr) -> str:
    kind = _TYPE_NAMES.get(attr.type, attr.type)
    if attr.choices:
        kind = " \\| ".join(attr.choices)
    shown = str(attr.default).lower() if isinstance(attr.default, bool) else attr.default
    default = "" if attr.default is None else f"`{shown}`"
    required = " (required)" if attr.required else ""
    if attr.literal:
        required += " Read while compiling: written as it is, without `{{ }}`."
    return f"| `{attr.name}` / `{attr.kebab}` | {kind} | {default} | {attr.doc}{required} |"


def _component(component: Component) -> list[str]:
    names = ", ".join(f"`<{t}>`" for t in component.tags)
    lines = [f"### {component.name}", "", f"Tags: {names}. Kind: {component.kind}.", "", component.doc, ""]
    if component.attrs:
        lines += ["| attribute | type | default | meaning |", "|---|---|---|---|"]
        lines += [_attr_row(a) for a in component.attrs.values()]
        lines.append("")
    return lines


def reference() -> str:
    lines = ["## Reference: components and attributes", "",
             "Generated from the component registry. Every attribute is also a style property "
             "(kebab-case or camelCase). A `{{ }}` value is checked against the attribute's type "
             "([docs/security.md](security.md#values-of-the-wrong-type)).", "",
             "### Attributes every component takes", "",
             "| attribute | type | default | meaning |", "|---|---|---|---|"]
    seen: set[str] = set()
    for attr in GLOBAL_ATTRS.values():
        if attr.name in seen:
            continue
        seen.add(attr.name)
        lines.append(_attr_row(attr))
    lines.append("")
    for component in sorted(REGISTRY, key=lambda c: c.name.lower()):
        lines += _component(component)
    return "\n".join(lines).rstrip() + "\n"


def render_doc(text: str) -> str:
    if BEGIN not in text or END not in text:
        return text.rstrip() + "\n\n" + BEGIN + "\n\n" + reference() + "\n" + END + "\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return head + BEGIN + "\n\n" + reference() + "\n" + END + tail


def main(argv: list[str]) -> int:
    current = DOC.read_text(encoding="utf-8")
    updated = render_doc(current)
    if "--check" in argv:
        if updated != current:
            print(f"{DOC} is out of date: run `python -m pml.cli.docgen`", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Every component, everywhere, with any attribute value: a render or a located `PMLError`.

Two loops over the component registry:

- each component at the top level and inside every component that takes children, under every
  syntax: the render works (and its text can be written), or it stops with a `PMLError` that
  has a location;
- each typed attribute given `{{ }}` values of every kind (a list, an object, a number, a
  boolean, null, a function, a regular expression, a built-in object): values of the wrong
  type stop the render with an error at that attribute, naming it; the others are accepted.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

import pml
from pml.api import compile_source
from pml.output.prompt import FORMATS
from pml.registry import GLOBAL_ATTRS, REGISTRY, SYNTAXES, Attr
from pml.syntax.source import Source

MEDIA = Path(__file__).resolve().parent / "cases" / "media"
PNG = base64.b64encode((MEDIA / "red.png").read_bytes()).decode()
MP3 = base64.b64encode((MEDIA / "beep.mp3").read_bytes()).decode()

# Every document defines one module, so that `<use>` has something to place.
LIBRARY = '<schema name="lib"><module name="m"><param name="p" default="d"/>module {{ p }}</module></schema>'

# One sample per component: `@@` is where children go (for components that take them).
SAMPLES: dict[str, str] = {
    "Text": "<text>@@</text>",
    "Paragraph": "<p>@@</p>",
    "Inline": "<span>@@</span>",
    "Newline": '<br newLineCount="2"/>',
    "Header": "<h>@@</h>",
    "SubContent": "<section>@@</section>",
    "Bold": "<b>@@</b>",
    "Italic": "<i>@@</i>",
    "Strikethrough": "<s>@@</s>",
    "Underline": "<u>@@</u>",
    "Code": '<code inline="false" lang="py">@@</code>',
    "List": "<list>@@</list>",
    "ListItem": "<item>@@</item>",
    "CaptionedParagraph": '<cp caption="Cap">@@</cp>',
    "Role": "<role>@@</role>",
    "Task": "<task>@@</task>",
    "OutputFormat": "<output-format>@@</output-format>",
    "StepwiseInstructions": "<stepwise-instructions>@@</stepwise-instructions>",
    "Hint": "<hint>@@</hint>",
    "Introducer": "<introducer>@@</introducer>",
    "Question": "<qa>@@</qa>",
    "ExampleSet": '<examples introducer="Some examples">@@</examples>',
    "Example": "<example>@@</example>",
    "ExampleInput": "<input>@@</input>",
    "ExampleOutput": "<output>@@</output>",
    "Object": "<object data=\"{{ {'a': [1, 'x', none], 'b': {'c': true} } }}\"/>",
    "Document": "<document buffer=\"{{ 'document text\\n\\nsecond paragraph' }}\" parser=\"txt\"/>",
    "Tree": "<tree items='[{\"name\": \"a\", \"children\": [{\"name\": \"b\", \"value\": \"text\"}]}]' "
            "showContent=\"true\"/>",
    "Folder": "<folder data='[{\"name\": \"src\", \"children\": [{\"name\": \"main.py\"}]}]'/>",
    "Image": f'<img base64="{PNG}"/>',
    "Audio": f'<audio base64="{MP3}"/>',
    "SystemMessage": "<system-msg>@@</system-msg>",
    "HumanMessage": "<human-msg>@@</human-msg>",
    "AiMessage": "<ai-msg>@@</ai-msg>",
    "MessageContent": "<msg-content content=\"{{ ['a', 'b'] }}\"/>",
    "Conversation": "<conversation messages=\"{{ [{'speaker': 'human', 'content': 'hi'}, "
                    "{'speaker': 'ai', 'content': 'hello'}] }}\"/>",
    "Schema": '<schema name="s2"><module name="m2">in s2</module></schema>',
    "Module": '<module name="m3">@@</module>',
    "Param": '<param name="q"/>',
    "Union": '<union default="a"><module name="a">@@</module><module name="b">B</module></union>',
    "Import": '<import src="lib.pml" as="ext"/>',
    "Use": '<use module="lib.m" p="{{ v }}"/>',
    "Table": "<table records=\"{{ [{'a': 1, 'b': 'x'}, {'a': 2, 'b': 'y'}] }}\"/>",
    "Let": '<let name="w" value="{{ v }}"/>',
    "OutputSchema": '<output-schema>{"type": "object", "properties": {"a": {"type": "string"}}}</output-schema>',
    "ToolDefinition": '<tool-definition name="look">{"type": "object", "properties": {}}</tool-definition>',
    "ToolRequest": "<tool-request id=\"c1\" name=\"look\" parameters=\"{{ {'q': v} }}\"/>",
    "ToolResponse": '<tool-response id="c1" name="look">@@</tool-response>',
    "Runtime": '<runtime temperature="0.5" model="m"/>',
    "Meta": '<meta minVersion="0.0.1"/>',
    "Webpage": "<webpage buffer=\"{{ '<h1>Title</h1><p>Hello <b>web</b></p>' }}\"/>",
}

# Where the attribute tests place a component that has to be inside another one.
PLACES = {
    "Module": '<schema name="t">@@</schema><use module="t.m3"/>',
    "Param": '<schema name="t"><module name="mm">@@</module></schema><use module="t.mm" q="1"/>',
    "Union": '<schema name="t"><module name="mm">@@</module></schema><use module="t.mm"/>',
}

BODY = "text {{ v }}"
CONTEXT = {"v": "value\n  with  spaces"}
CONTAINERS = sorted(name for name, sample in SAMPLES.items() if "@@" in sample)


def _fill(sample: str, body: str = BODY) -> str:
    return sample.replace("@@", body)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("safety")
    (path / "lib.pml").write_text('<poml><schema name="x"><module name="n">N</module></schema></poml>',
                                  encoding="utf-8")
    return path


def _compile(markup: str, folder: Path) -> pml.Prompt:
    return compile_source(Source(markup, "doc.pml", None, folder))


def _outcome(markup: str, folder: Path, context: dict[str, Any]) -> pml.Rendered | pml.PMLError:
    """The render, or the `PMLError` it stopped with (which must have a location)."""
    try:
        rendered = _compile(markup, folder).render(context)
        rendered.text()
        return rendered
    except pml.PMLError as error:
        assert error.span is not None, f"no location: {error}\n{markup}"
        return error


def test_every_component_has_a_sample() -> None:
    assert sorted(SAMPLES) == sorted(c.name for c in REGISTRY)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_a_component_at_the_top_and_in_every_container_renders_or_fails_located(name: str, folder: Path) -> None:
    child = _fill(SAMPLES[name])
    places = ["@@", *(SAMPLES[c] for c in CONTAINERS)]
    for place in places:
        try:
            inner = _compile(f'<poml syntax="{{{{ syntax }}}}">{LIBRARY}{_fill(place, child)}</poml>', folder)
        except pml.PMLError as error:
            assert error.span is not None, f"no location: {error}\n{place} / {name}"
            continue
        for syntax in SYNTAXES:
            try:
                rendered = inner.render({**CONTEXT, "syntax": syntax})
            except pml.PMLError as error:
                assert error.span is not None, f"no location: {error}\n{place} / {name} / {syntax}"
                continue
            for format_name in FORMATS:
                try:
                    rendered.to_format(format_name)
                except pml.PMLError as error:
                    assert error.span is not None, f"no location: {error}\n{place} / {name} / {format_name}"


def test_an_item_outside_a_list_is_an_error_at_the_item(folder: Path) -> None:
    for syntax in ("markdown", "text", "html"):
        outcome = _outcome(f'<poml syntax="{syntax}">\n<p>a</p>\n<item>x</item>\n</poml>', folder, {})
        assert isinstance(outcome, pml.PMLRenderError)
        assert outcome.message == "`<item>` is not inside a `<list>`"
        assert (outcome.line, outcome.column) == (3, 1)


def test_an_item_with_its_own_attributes_stays_an_item_of_its_list(folder: Path) -> None:
    markup = ('<poml><list listStyle="decimal"><item>a</item><item name="k">b</item>'
              '<item syntax="json">c</item></list></poml>')
    rendered = _outcome(markup, folder, {})
    assert isinstance(rendered, pml.Rendered)
    assert rendered.text() == '===== human =====\n\n1. a\n2. b\n\n3. ```json\n   "c"\n   ```'
    rendered = _outcome(markup.replace("<poml>", '<poml syntax="json">'), folder, {})
    assert isinstance(rendered, pml.Rendered)
    assert rendered.text() == '===== human =====\n\n[\n  "a",\n  {\n    "k": "b"\n  },\n  "c"\n]'


# ---------------------------------------------------------------------- attribute types

# Values of every kind, as expressions, with what kind of value each is.
VALUES: list[tuple[str, str]] = [
    ("[1, 'a']", "list"),
    ("{'a': 1}", "object"),
    ("3", "number"),
    ("2.5", "number"),
    ("true", "boolean"),
    ("null", "null"),
    ("x => 1", "function"),
    ("/a+/g", "regular expression"),
    ("Math", "built-in object"),
]


def _accepts(attr: Attr, expression: str, kind: str) -> bool:
    """Whether an attribute of this type takes the value (the rules of docs/language.md)."""
    if kind == "null":
        return not attr.required or attr.type in ("any", "value")
    if attr.type == "value":
        return True
    if attr.type == "any":
        return kind in ("list", "object", "number", "boolean")
    if attr.type == "string":
        return kind in ("number", "boolean")
    if attr.type == "binary":
        return False  # text or bytes only
    if attr.type == "boolean":
        return kind == "boolean"
    if attr.type in ("number", "integer"):
        if kind != "number" or (attr.type == "integer" and "." in expression):
            return False
        number = float(expression)
        return (attr.minimum is None or number >= attr.minimum) and (attr.maximum is None or number <= attr.maximum)
    if attr.type == "enum":
        return kind in ("number", "boolean") and expression in attr.choices
    if attr.type == "object":
        return kind == "object"
    if attr.type == "array":
        return kind == "list"
    raise AssertionError(f"unknown type {attr.type}")


def _typed_attributes() -> list[Any]:
    params = []
    for component in REGISTRY:
        for attr in component.attrs.values():
            params.append(pytest.param(component.name, attr.name, id=f"{component.name}.{attr.name}"))
    for attr in {a.name: a for a in GLOBAL_ATTRS.values()}.values():
        if attr.name in ("for", "if"):
            continue  # template directives, not attributes
        for name in ("Paragraph", "List", "Image", "Object"):
            params.append(pytest.param(name, attr.name, id=f"{name}.{attr.name}"))
    return params


def _with_attribute(sample: str, tag: str, name: str, value: str) -> str:
    """The sample with `name="{{ value }}"` as the first attribute of its element (replacing one of
    that name)."""
    import re

    head = re.match(r"<([\w-]+)", sample)
    assert head is not None
    rest = sample[head.end():]
    rest = re.sub(rf'\s{re.escape(name)}=("[^"]*"|\'[^\']*\')', "", rest, count=1)
    quoted = value.replace('"', "&quot;")
    return f'{sample[:head.end()]} {name}="{{{{ {quoted} }}}}"{rest}'


@pytest.mark.parametrize(("component_name", "attr_name"), _typed_attributes())
def test_a_wrong_typed_value_is_an_error_at_the_attribute(component_name: str, attr_name: str, folder: Path) -> None:
    component = next(c for c in REGISTRY if c.name == component_name)
    attr = component.attr(attr_name)
    assert attr is not None
    sample = _fill(SAMPLES[component_name], "body")
    compile_time = attr.literal or (component_name, attr.name) == ("Import", "src")
    for expression, kind in VALUES:
        element = _with_attribute(sample, component.tags[0], attr.name, expression)
        head = f"<poml>{LIBRARY}\n"
        markup = f"{head}{_fill(PLACES.get(component_name, '@@'), element)}\n</poml>"
        outcome = _outcome(markup, folder, CONTEXT)
        where = _value_span(markup, attr.name, markup.index(element))
        if compile_time:  # read while compiling: no `{{ }}` at all
            assert isinstance(outcome, pml.PMLCompileError), f"{attr.name}={expression} was accepted\n{markup}"
            assert outcome.span is not None and (outcome.span.start, outcome.span.end) == where, f"{outcome}"
            continue
        if _accepts(attr, expression, kind):
            continue  # taken (its component may still find the value wrong: a located error, as checked)
        assert isinstance(outcome, pml.PMLError), f"{attr.name}={expression} was accepted\n{markup}"
        assert outcome.span is not None and (outcome.span.start, outcome.span.end) == where, \
            f"{outcome}\n{markup}"
        assert outcome.message.startswith(f"`{attr.name}` "), outcome.message
        if attr.type == "enum" and kind != "null":
            assert ", ".join(attr.choices) in outcome.message


def _value_span(markup: str, name: str, offset: int) -> tuple[int, int]:
    marker = f' {name}="'
    start = markup.index(marker, offset) + len(marker)
    return start, markup.index('"', start)


def test_null_leaves_an_attribute_unset(folder: Path) -> None:
    rendered = _outcome('<poml><list listStyle="{{ none }}"><item>a</item></list>'
                        '<p blankLine="{{ none }}" syntax="{{ none }}">b</p></poml>', folder, {})
    assert isinstance(rendered, pml.Rendered)
    assert rendered.text() == "===== human =====\n\n- a\n\nb"


def test_numbers_and_booleans_are_written_into_text_attributes(folder: Path) -> None:
    rendered = _outcome('<poml><cp caption="{{ 3 }}">a</cp><cp caption="{{ true }}">b</cp></poml>', folder, {})
    assert isinstance(rendered, pml.Rendered)
    assert rendered.text() == "===== human =====\n\n# 3\n\na\n\n# true\n\nb"


def test_writer_options_are_checked_by_name(folder: Path) -> None:
    outcome = _outcome("<poml syntax=\"yaml\" writerOptions='{\"yamlIndent\": 0}'><p>a</p></poml>", folder, {})
    assert isinstance(outcome, pml.PMLError)
    assert outcome.message == "`writerOptions.yamlIndent` should be at least 1, not a number `0`"
    rendered = _outcome("<poml syntax=\"xml\" writerOptions='{\"xmlListItemName\": \"list item\"}'>"
                        "<list><item>a</item></list></poml>", folder, {})
    assert isinstance(rendered, pml.Rendered)
    assert rendered.text() == "===== human =====\n\n<list-item>a</list-item>"


def test_a_let_may_hold_a_function(folder: Path) -> None:
    rendered = _outcome('<poml><let name="twice" value="{{ x => x * 2 }}"/><p>{{ [1, 2].map(twice) }}</p></poml>',
                        folder, {})
    assert isinstance(rendered, pml.Rendered)
    assert rendered.text() == "===== human =====\n\n[2,4]"

"""The VS Code extension's static parts, checked from Python (no Node, no network).

The extension itself (TypeScript client, TextMate grammar tests, packaging) is checked with npm in
vscode-extension/ (see its README); here we check what Python can: the manifest, that every
snippet expands to PML that compiles cleanly, and that the grammars and language configurations
are well-formed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import pml

EXT = Path(__file__).resolve().parent.parent / "vscode-extension"


def _json(relative: str) -> dict:
    return json.loads((EXT / relative).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def manifest() -> dict:
    return _json("package.json")


# ---- the manifest ---------------------------------------------------------------------------


def test_manifest_identity(manifest):
    assert manifest["name"] == "pml-vscode"
    assert manifest["publisher"] == "pml"
    assert manifest["version"] == "0.1.0"
    assert manifest["license"] == "MIT"
    assert (EXT / "LICENSE").is_file()
    assert (EXT / "README.md").is_file()
    assert manifest["repository"]
    assert manifest["engines"]["vscode"] == "^1.91.0"
    assert manifest["main"] == "./out/extension.js"
    assert set(manifest["activationEvents"]) == {"onLanguage:pml", "onLanguage:pss"}
    # Settings that name a program to run are not taken from an untrusted workspace.
    untrusted = manifest["capabilities"]["untrustedWorkspaces"]
    assert set(untrusted["restrictedConfigurations"]) == {"pml.pythonPath", "pml.serverArgs"}


def test_manifest_languages(manifest):
    languages = {language["id"]: language for language in manifest["contributes"]["languages"]}
    assert set(languages) == {"pml", "pss"}
    assert set(languages["pml"]["extensions"]) == {".pml", ".poml"}
    assert languages["pss"]["extensions"] == [".pss"]
    for language in languages.values():
        assert language["aliases"]
        assert (EXT / language["configuration"]).is_file()


def test_manifest_grammars(manifest):
    grammars = {grammar["language"]: grammar for grammar in manifest["contributes"]["grammars"]}
    assert grammars["pml"]["scopeName"] == "source.pml"
    assert grammars["pss"]["scopeName"] == "source.pss"
    for grammar in grammars.values():
        declared = _json(grammar["path"])
        assert declared["scopeName"] == grammar["scopeName"]
    # The <style> body is PSS: VS Code must know which language its embedded scope is.
    assert grammars["pml"]["embeddedLanguages"]["meta.embedded.block.pss"] == "pss"


def test_manifest_settings_and_commands(manifest):
    contributes = manifest["contributes"]
    properties = contributes["configuration"]["properties"]
    assert properties["pml.pythonPath"]["type"] == "string"
    assert properties["pml.serverArgs"]["default"] == ["-m", "pml", "lsp"]
    assert properties["pml.output.trace.server"]["enum"] == ["off", "messages", "verbose"]
    commands = {command["command"]: command for command in contributes["commands"]}
    assert commands["pml.showPreview"]["title"] == "Open Preview to the Side"
    assert commands["pml.showPreview"]["category"] == "PML"
    title_menu = contributes["menus"]["editor/title"]
    assert {"command": "pml.showPreview", "when": "editorLangId == pml", "group": "navigation"} in title_menu
    snippets = contributes["snippets"]
    assert [entry["language"] for entry in snippets] == ["pml"]
    assert (EXT / snippets[0]["path"]).is_file()


def test_manifest_dependencies(manifest):
    # The client library ships in the .vsix; vsce 4 needs Node 22, so 3.x is pinned.
    assert "vscode-languageclient" in manifest["dependencies"]
    assert manifest["devDependencies"]["@vscode/vsce"].startswith("^3")
    assert manifest["devDependencies"]["@types/vscode"].lstrip("~^").startswith("1.91")
    assert "--no-dependencies" not in manifest["scripts"]["package"]
    assert (EXT / "package-lock.json").is_file()


# ---- the grammars and language configurations -------------------------------------------------


def _includes(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "include":
                yield value
            else:
                yield from _includes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _includes(value)


@pytest.mark.parametrize(("path", "scope"), [
    ("syntaxes/pml.tmLanguage.json", "source.pml"),
    ("syntaxes/pss.tmLanguage.json", "source.pss"),
])
def test_grammar_is_well_formed(path, scope):
    grammar = _json(path)
    assert grammar["scopeName"] == scope
    assert grammar["patterns"]
    repository = grammar["repository"]
    for include in _includes(grammar):
        if include.startswith("#"):
            assert include[1:] in repository, f"{path}: {include} is not in the repository"
        else:
            assert include in ("$self", "$base", "source.pml", "source.pss"), include


@pytest.mark.parametrize("path", ["language-configuration.json", "pss-language-configuration.json"])
def test_language_configuration_parses(path):
    configuration = _json(path)
    assert configuration["comments"]["blockComment"]
    assert configuration["brackets"]
    for pair in configuration["autoClosingPairs"]:
        assert set(pair) <= {"open", "close", "notIn"}
    patterns = [configuration["wordPattern"], *configuration["indentationRules"].values()]
    for rule in configuration.get("onEnterRules", []):
        patterns += [rule["beforeText"], rule.get("afterText", "")]
    for pattern in patterns:  # JavaScript regexes; these use only syntax Python shares
        re.compile(pattern)


def test_language_configuration_comments():
    assert _json("language-configuration.json")["comments"]["blockComment"] == ["<!--", "-->"]
    assert _json("pss-language-configuration.json")["comments"]["blockComment"] == ["/*", "*/"]


def test_grammar_test_files_have_a_valid_header():
    # vscode-tmgrammar-test rejects a header that ends in `-->` ("Expecting the first line…").
    header = re.compile(r'^(\S+)\s+SYNTAX\s+TEST\s+"([^"]+)"(?:\s+"([^"]+)")?\s*$')
    files = sorted((EXT / "tests" / "grammar").glob("*.test.*"))
    assert {path.suffix for path in files} == {".pml", ".pss"}
    for path in files:
        match = header.match(path.read_text(encoding="utf-8").splitlines()[0])
        assert match, path.name
        assert match.group(2) == {".pml": "source.pml", ".pss": "source.pss"}[path.suffix]


# ---- snippets --------------------------------------------------------------------------------


class _Tabstop:
    def __init__(self, number: int, children: list | None, choices: list[str] | None = None):
        self.number, self.children, self.choices = number, children, choices


def _parse_snippet(body: str) -> list:
    """Parse VS Code snippet syntax into text and tabstops (variables become their default)."""
    position = 0

    def parse(inside: bool) -> list:
        nonlocal position
        nodes: list = []
        while position < len(body):
            char = body[position]
            if char == "\\" and position + 1 < len(body) and body[position + 1] in "$}\\":
                nodes.append(body[position + 1])
                position += 2
            elif inside and char == "}":
                return nodes
            elif char == "$":
                simple = re.compile(r"\$(\d+)|\$([A-Za-z_]\w*)").match(body, position)
                braced = re.compile(r"\$\{(\d+|[A-Za-z_]\w*)([:|}])").match(body, position)
                if braced:
                    name, kind = braced.groups()
                    position = braced.end()
                    if kind == "}":
                        children, choices = None, None
                    elif kind == ":":
                        children, choices = parse(True), None
                        assert body[position] == "}", body
                        position += 1
                    else:
                        end = body.index("|}", position)
                        choices = re.split(r"(?<!\\),", body[position:end])
                        choices = [choice.replace("\\,", ",").replace("\\|", "|") for choice in choices]
                        children = [choices[0]]
                        position = end + 2
                    if name.isdigit():
                        nodes.append(_Tabstop(int(name), children, choices))
                    else:
                        nodes.extend(children or [])
                elif simple:
                    position = simple.end()
                    if simple.group(1):
                        nodes.append(_Tabstop(int(simple.group(1)), None))
                else:
                    nodes.append(char)
                    position += 1
            else:
                nodes.append(char)
                position += 1
        assert not inside, f"unclosed placeholder in {body!r}"
        return nodes

    return parse(False)


def _render(nodes: list, defaults: dict[int, str], chosen: dict[int, str]) -> str:
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif node.number in chosen:
            out.append(chosen[node.number])
        elif node.children is not None:
            text = _render(node.children, defaults, chosen)
            defaults.setdefault(node.number, text)
            out.append(text)
        else:
            out.append(defaults.get(node.number, ""))
    return "".join(out)


def _choices(nodes: list) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for node in nodes:
        if isinstance(node, _Tabstop):
            if node.choices:
                found[node.number] = node.choices
            found.update(_choices(node.children or []))
    return found


def expand(body: str, chosen: dict[int, str] | None = None) -> str:
    """The text a snippet inserts when every placeholder keeps its default (or `chosen`)."""
    nodes = _parse_snippet(body)
    defaults: dict[int, str] = {}
    _render(nodes, defaults, chosen or {})  # first pass: collect defaults, also of later mirrors
    return _render(nodes, defaults, chosen or {})


def expansions(body: str) -> list[str]:
    """The default expansion, and one expansion per option of every choice."""
    nodes = _parse_snippet(body)
    results = [expand(body)]
    for number, options in _choices(nodes).items():
        results += [expand(body, {number: option}) for option in options]
    return list(dict.fromkeys(results))


def test_snippet_expander():
    assert expand("<a x=\"${1:v}\">{{ $1 }}</a>$0") == "<a x=\"v\">{{ v }}</a>"
    assert expand("${1|b,c|} ${2:{{ q \\}\\}} \\$x") == "b {{ q }} $x"
    assert expand("${1:outer ${2:inner}} $2") == "outer inner inner"
    assert expansions("${1|a,b|}") == ["a", "b"]


def _snippets() -> dict[str, dict]:
    return _json("snippets/pml.code-snippets")


def _body(snippet: dict) -> str:
    body = snippet["body"]
    return "\n".join(body) if isinstance(body, list) else body


# Snippets that belong inside another element are compiled there (SNIPPET marks the place); `use`
# is compiled after the `schema` snippet, whose defaults it places.
_AROUND = {
    "item": "<pml><list>SNIPPET</list></pml>",
    "item for": '<pml><let name="items" value="[1, 2]"/><list>SNIPPET</list></pml>',
    "module": '<pml><schema name="snippets">SNIPPET</schema></pml>',
    "param": '<pml><schema name="snippets"><module name="m">SNIPPET</module></schema></pml>',
    "use": "<pml>SCHEMA\nSNIPPET</pml>",
}


def _document(name: str, text: str) -> str:
    if text.lstrip().startswith(("<pml", "<poml")):
        return text
    before, after = _AROUND.get(name, "<pml>SNIPPET</pml>").split("SNIPPET")
    schema = expand(_body(_snippets()["schema"]))
    return before.replace("SCHEMA", schema) + text + after


def test_snippets_cover_the_catalogue():
    bodies = " ".join(_body(snippet) for snippet in _snippets().values())
    for tag in ["role", "task", "example", "examples", "list", "item", "human-msg", "ai-msg",
                "system-msg", "output-format", "cp", "table", "img", "document", "schema",
                "module", "param", "use", "let", "stylesheet", "style"]:
        assert f"<{tag}" in bodies, tag


@pytest.mark.parametrize("name", sorted(_json("snippets/pml.code-snippets")))
def test_snippet_compiles(name, tmp_path):
    snippet = _snippets()[name]
    assert snippet["prefix"] and snippet["description"]
    for text in expansions(_body(snippet)):
        document = _document(name, text)
        for src in re.findall(r'src="([^"{}]+)"', document):  # a literal src must name a file
            (tmp_path / src).write_text("", encoding="utf-8")
        prompt = pml.loads(document, strict=True, base_dir=tmp_path)  # raises on any error
        assert prompt.diagnostics == [], (document, [d.format() for d in prompt.diagnostics])


def test_schema_and_use_snippets_work_together():
    snippets = _snippets()
    for cache in ("true", "false"):
        schema = expand(_body(snippets["schema"]), {3: cache})
        document = f"<pml>{schema}\n{expand(_body(snippets['use']))}</pml>"
        rendered = pml.loads(document, strict=True).render({})
        assert "You work for Acme." in rendered.text()


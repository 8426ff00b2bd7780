"""One error root: what PML raises on purpose is a `PMLError` (docs/security.md, pml/errors.py).

- No module of `pml/` raises a builtin exception (`raise ValueError(…)`), except the few listed
  below with the reason each may: internal assertions that cannot fire, and raises that are
  still to be turned into located errors (each names who catches it today). An entry that no
  longer matches a raise fails too, so the list shrinks as they are fixed.
- Every exception class `pml/` defines is a `PMLError`, or an internal signal that one stage
  raises and the stage that knows the location catches (listed, with where).
- Misuse of the Python API raises `PMLUsageError` / `PMLTypeError`, which are also a
  `ValueError` / `TypeError`, with a message that says what was expected.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import pickle
import pkgutil
from pathlib import Path

import pytest

import pml
from pml.cli.errors import InputError
from pml.errors import PMLError, PMLTypeError, PMLUsageError, render_error
from pml.output.targets import FormatError
from pml.tokens.encodings import TokenizerDataError, encoding, tokenizer_for
from pml.values import ValueProblem, convert_type

PACKAGE = Path(pml.__file__).resolve().parent

BUILTIN_ERRORS = frozenset(name for name, value in vars(builtins).items()
                           if isinstance(value, type) and issubclass(value, BaseException))

# (file under pml/, builtin, text of the raise) → why it may stay, for now or for good.
ALLOWED_RAISES: dict[tuple[str, str, str], str] = {
    # Python's own protocols.
    ("__init__.py", "AttributeError", "module 'pml' has no attribute"): "a module __getattr__ must raise it",
    ("cli/app.py", "AttributeError", "has no attribute {name!r}"): "a module __getattr__ must raise it",
    ("expressions/__init__.py", "AttributeError", "has no attribute {name!r}"): "a module __getattr__ must raise it",
    ("readers/__init__.py", "AttributeError", "has no attribute {name!r}"): "a module __getattr__ must raise it",
    ("render/writers/__init__.py", "AttributeError", "has no attribute {name!r}"): "a module __getattr__ must raise it",
    ("tokens/__init__.py", "AttributeError", "has no attribute {name!r}"): "a module __getattr__ must raise it",
    ("cli/docgen.py", "SystemExit", "raise SystemExit(main("): "a script's exit status",
    # Internal assertions: they cannot fire.
    ("expressions/functions.py", "NotImplementedError", "raise NotImplementedError"):
        "the base class's __call__; every function value overrides it",
    ("compile/modules.py", "AssertionError", "a literal pick has no conditions"):
        "a condition evaluator for picks that have none",
    ("components/template.py", "AssertionError", "a `<let value>` that compiles"):
        "after compiling again an expression that failed to compile, which raises",
    ("expressions/undefined.py", "AssertionError", 'raise AssertionError("unreachable")'):
        "after a call that always raises (typing: NoReturn)",
    ("syntax/grammar.py", "ValueError", "must declare exactly the terminals"):
        "a consistency check of the shipped grammar and lexicon, run by the tests; cannot fire in a release",
    ("style/selectors.py", "ValueError", "a selector needs one combinator"):
        "Selector's invariant; the CSS reader builds selectors only in that shape",
    # Raised inside expression evaluation and located by the sandbox as a render (or, for a
    # regular expression literal, a compile) error: Jinja's protocol for failing calls.
    ("expressions/arrows.py", "TypeError", "cannot unpack"): "located by the expression sandbox",
    ("expressions/filters.py", "ValueError", "format width"): "located by the expression sandbox",
    ("expressions/functions.py", "TypeError", "expects a function"): "located by the expression sandbox",
    ("expressions/jsglobals.py", "ValueError", "a replacer is not supported"): "located by the expression sandbox",
    ("expressions/jsregex.py", "ValueError", "its counted repeats unroll"): "located as an invalid regular expression",
    ("expressions/jsregex.py", "ValueError", "the sticky flag"): "located as an invalid regular expression",
    ("expressions/jsregex.py", "ValueError", "is unknown or repeated"): "located as an invalid regular expression",
    ("expressions/lists.py", "TypeError", "of an empty list needs"): "located by the expression sandbox",
    ("expressions/strings.py", "ValueError", "invalid repeat count"): "located by the expression sandbox",
}

# Exception classes that are not PMLErrors: each is raised by one part of PML and caught by the
# part that knows where the problem is written, which raises a located PMLError instead.
INTERNAL_SIGNALS: dict[str, str] = {
    "pml.cli.convert._Unsure": "a value left to Typer's own conversion, never an error",
    "pml.cli.preview_server.PreviewError": "caught by the preview server, shown on its page",
    "pml.components.expanded.StyleFailure": "caught by the component expansion",
    "pml.components.schemas.SchemaError": "caught by <output-schema> and <tool-definition>",
    "pml.components.table.TableProblem": "caught by <table>",
    "pml.expressions.budget.LimitError": "caught by the expression sandbox",
    "pml.expressions.jsregex.RegexTimeout": "caught by the expression sandbox",
    "pml.expressions.sandbox.ShortCircuit": "control flow of && and ||, never an error",
    "pml.expressions.plain.TranslateError": "caught by Expression, raised as a syntax error",
    "pml.expressions.undefined.MissingValue": "Jinja's undefined protocol, located by the renderer",
    "pml.expressions.undefined.UnsafeAccess": "Jinja's sandbox protocol, located by the renderer",
    "pml.files.FileProblem": "caught by the stage that names the file (compile, render, stylesheets, CLI)",
    "pml.files.Missing": "a FileProblem",
    "pml.files.NotAFolder": "a FileProblem",
    "pml.files.OutsideRoot": "a FileProblem",
    "pml.files.TooLarge": "a FileProblem",
    "pml.lsp.access.Refused": "caught by the language server, answered as a JSON-RPC error",
    "pml.readers.MissingExtra": "caught by the component that reads the file, raised located",
    "pml.readers.ReadFailure": "caught by the component that reads the file, raised located",
    "pml.readers.archive.ArchiveProblem": "a ReadFailure",
    "pml.readers.pdf.PageSelectionError": "a ReadFailure",
    "pml.render.ahead.template._GiveUp": "caught by Plan.render: the full render runs instead",
    "pml.render.ahead.trace.NotAhead": "caught by plan_program: the program has no plan",
    "pml.registry.CoercionError": "caught by the compiler, the renderer and the stylesheet reader",
    "pml.style.selector_syntax._BadSelector": "caught by the selector reader, reported as a located warning",
    "pml.style.selector_syntax._Invalid": "caught by the selector reader, reported as a located warning",
    "pml.style.values.ValueSyntaxError": "caught by the stylesheet reader",
    "pml.syntax.scanner.ScanError": "caught by the parser",
    "pml.values.ValueProblem": "caught by <let> and JSON.parse, raised located",
    "pml.values._Found": "control flow of a search, never an error",
}


def _builtin_raises() -> list[tuple[str, str, str, int]]:
    """(file, builtin, source of the raise, line) for every `raise Builtin…` in pml/."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.Raise) or node.exc is None:
                continue
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            name = target.id if isinstance(target, ast.Name) else None
            if name in BUILTIN_ERRORS:
                found.append((path.relative_to(PACKAGE).as_posix(), name, ast.get_source_segment(text, node) or "",
                              node.lineno))
    return found


def _allowed(file: str, name: str, source: str) -> tuple[str, str, str] | None:
    return next((key for key in ALLOWED_RAISES if key[:2] == (file, name) and key[2] in source), None)


def test_no_builtin_exception_is_raised_outside_the_list() -> None:
    unexplained = [f"pml/{file}:{line}: {source}" for file, name, source, line in _builtin_raises()
                   if _allowed(file, name, source) is None]
    assert unexplained == []


def test_every_listed_raise_still_exists() -> None:
    used = {_allowed(file, name, source) for file, name, source, _ in _builtin_raises()}
    assert [key for key in ALLOWED_RAISES if key not in used] == []


def _modules() -> list[str]:
    names = ["pml"]
    for info in pkgutil.walk_packages([str(PACKAGE)], "pml."):
        if not info.name.endswith("__main__"):
            names.append(info.name)
    return names


def test_every_exception_class_is_a_pml_error_or_an_internal_signal() -> None:
    found = {}
    for name in _modules():
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseException) and value.__module__ == name:
                found[f"{name}.{value.__qualname__}"] = value
    others = sorted(name for name, kind in found.items() if not issubclass(kind, PMLError))
    assert others == sorted(INTERNAL_SIGNALS)


# ---------------------------------------------------------------------- the Python API
RENDERED = pml.loads("<p>Hello</p>").render()


def test_an_unknown_format_is_a_usage_error_and_a_value_error() -> None:
    with pytest.raises(PMLUsageError) as caught:
        pml.render("<p>Hi</p>", format="antropic")
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == (
        "unknown format 'antropic'; choose one of openai, openai_chat, openai-responses, anthropic, gemini, "
        "langchain, pydantic, message_dict, dict, raw, text\n"
        "hint: did you mean 'anthropic'?")
    choices = "choose one of openai, openai_chat, openai-responses, anthropic, gemini, langchain, pydantic, " \
              "message_dict, dict, raw, text"
    for call, message in [(lambda: RENDERED.to_format("nope"), f"unknown format 'nope'; {choices}"),
                          (lambda: RENDERED.to_format(["text"]), f"unknown format ['text']; {choices}"),
                          (lambda: pml.poml("<p>Hi</p>", format="json"), f"unknown format 'json'; {choices}")]:
        with pytest.raises(ValueError) as caught:
            call()
        assert (type(caught.value), str(caught.value)) == (PMLUsageError, message)


def test_an_unknown_cache_provider_is_a_usage_error() -> None:
    with pytest.raises(PMLUsageError) as caught:
        RENDERED.cache_plan("gemini")
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == "unknown provider 'gemini'; cache plans are made for anthropic, openai"


@pytest.mark.parametrize(("call", "message"), [
    (lambda: pml.load(42), "the path must be a str or a Path, not int"),  # type: ignore[arg-type]
    (lambda: pml.loads(b"<p/>"), "the markup must be a str, not bytes"),  # type: ignore[arg-type]
    (lambda: pml.render(None), "the markup must be a str (markup or a file name) or a Path, not NoneType"),  # type: ignore[arg-type]
    (lambda: pml.render("<p/>", [1, 2]), "the context must be a mapping, or the path of a JSON file, not list"),  # type: ignore[arg-type]
    (lambda: pml.loads("<p/>", stylesheet=3.5), "stylesheet must be a path, a dict, CSS text or a Stylesheet, "
                                                "not float"),
])
def test_an_argument_of_the_wrong_type_is_a_type_error(call: object, message: str) -> None:
    with pytest.raises(PMLTypeError) as caught:
        call()  # type: ignore[operator]
    assert isinstance(caught.value, TypeError)
    assert str(caught.value) == message


def test_token_counting_misuse_is_a_usage_error() -> None:
    for call, message in [
        (lambda: encoding("p50k_base"), "unknown encoding 'p50k_base'; known encodings: o200k_base, cl100k_base"),
        (lambda: tokenizer_for(None).count_image(0, 5), "image size must be positive, not 0×5"),
        (lambda: tokenizer_for(None).count_image(5, 5, "medium"),
         "detail must be 'low', 'high' or 'auto', not 'medium'"),
    ]:
        with pytest.raises(ValueError) as caught:
            call()
        assert (type(caught.value), str(caught.value)) == (PMLUsageError, message)


def test_the_errors_that_are_also_builtins() -> None:
    assert issubclass(TokenizerDataError, PMLError) and issubclass(TokenizerDataError, RuntimeError)
    assert str(TokenizerDataError("reinstall it")) == "reinstall it"
    assert issubclass(InputError, PMLError)
    with pytest.raises(ValueError) as caught:
        convert_type("x", "integer")
    assert (type(caught.value), str(caught.value)) == (ValueProblem, "`x` is not an integer")


@pytest.mark.parametrize("error", [
    PMLUsageError("unknown thing", "try another"),
    PMLTypeError("not a str"),
    FormatError("no audio here"),
    TokenizerDataError("broken vocabulary"),
    InputError("ctx.json: no such file"),
    render_error("`x` is not defined", pml.loads("<p>{{ x }}</p>", name="p.pml").root.span, "define it"),
])
def test_errors_survive_pickling(error: PMLError) -> None:
    """A worker process's error reaches its parent as it was raised."""
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert [d.to_json() for d in copy.diagnostics] == [d.to_json() for d in error.diagnostics]


def test_a_rendered_error_survives_pickling_with_its_excerpt() -> None:
    with pytest.raises(PMLError) as caught:
        pml.loads("<p>{{ x.y }}</p>", name="p.pml").render()
    copy = pickle.loads(pickle.dumps(caught.value))
    assert str(copy) == str(caught.value) == (
        "p.pml:1:7: undefined variable `x`\n  <p>{{ x.y }}</p>\n        ^\nhint: the context defines no variables")
    assert isinstance(copy, pml.PMLUndefinedError)

"""Tools, schemas, runtime and meta components, and every output format (`pml.output.targets`)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import pml
from pml.cli.app import Format, app
from pml.components.parts import MediaPart, Message, ToolCallPart, ToolResultPart, ToolSpec
from pml.components.schemas import SchemaError, qualifies_for_strict, zod_to_json_schema
from pml.output.prompt import FORMATS, Rendered
from pml.output.targets import FormatError
from pml.output.targets.gemini import gemini_schema

EXAMPLES = Path(__file__).resolve().parent / "conformance" / "poml-examples"
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e0a8b07c0000000049454e44ae426082"
)).decode("ascii")


def render(markup: str, context: dict[str, Any] | None = None, **options: Any) -> Rendered:
    return pml.loads(markup).render(context or {}, **options)


# --------------------------------------------------------------------------- Zod


@pytest.mark.parametrize(("zod", "schema"), [
    ("z.string()", {"type": "string"}),
    ("z.number().int().min(1).max(7)", {"type": "integer", "minimum": 1, "maximum": 7}),
    ("z.boolean().describe('flag')", {"description": "flag", "type": "boolean"}),
    ('z.enum(["a", "b"])', {"type": "string", "enum": ["a", "b"]}),
    ("z.literal(3)", {"type": "number", "const": 3}),
    ('z.literal("x")', {"type": "string", "const": "x"}),
    ("z.array(z.string()).min(1)", {"type": "array", "items": {"type": "string"}, "minItems": 1}),
    ("z.string().nullable()", {"anyOf": [{"type": "string"}, {"type": "null"}]}),
    ("z.union([z.string(), z.number()])", {"anyOf": [{"type": "string"}, {"type": "number"}]}),
    ("z.string().email()", {"type": "string", "format": "email"}),
    ("z.record(z.number())", {"type": "object", "additionalProperties": {"type": "number"}}),
    ("z.any()", {}),
    ("z.object({})", {"type": "object", "properties": {}, "additionalProperties": False}),
    ("""z.object({
        to: z.string(),            // who
        "cc-list": z.array(z.string()).optional(),
        meta: z.object({urgent: z.boolean()}).describe('Extra'),
     })""",
     {"type": "object",
      "properties": {"to": {"type": "string"}, "cc-list": {"type": "array", "items": {"type": "string"}},
                     "meta": {"description": "Extra", "type": "object",
                              "properties": {"urgent": {"type": "boolean"}}, "required": ["urgent"],
                              "additionalProperties": False}},
      "required": ["to", "meta"], "additionalProperties": False}),
])
def test_zod_subset_becomes_json_schema(zod: str, schema: dict[str, Any]) -> None:
    assert zod_to_json_schema(zod) == schema


@pytest.mark.parametrize(("zod", "message", "offset"), [
    ("z.object({a: z.string().regex(/x/)})", "`.regex()` is not supported", 24),
    ("z.enum([/x/])", "regular expressions are not supported", 8),
    ("z.object({a: process.exit()})", "`process` is not supported", 13),
    ("z.custom()", "`z.custom` is not supported", 2),
    ("z.string(", "ends too early", 9),
    ("z.object({a: z.string()}).min(2)", "does not apply to object", 26),
    ("z.string().int()", "applies to numbers", 11),
])
def test_zod_outside_the_subset_is_a_located_error(zod: str, message: str, offset: int) -> None:
    with pytest.raises(SchemaError) as info:
        zod_to_json_schema(zod)
    assert message in str(info.value)
    assert info.value.offset == offset


def test_zod_is_read_never_run() -> None:
    markup = '<poml><p>x</p><tool name="t">z.object({a: z.string().transform(() => globalThis)})</tool></poml>'
    with pytest.raises(pml.PMLRenderError) as info:
        render(markup)
    assert "`.transform()` is not supported" in str(info.value)
    assert str(info.value).startswith("<string>:1:")


# --------------------------------------------------------------------------- strict mode


@pytest.mark.parametrize(("schema", "strict"), [
    ({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"], "additionalProperties": False},
     True),
    ({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}, False),
    ({"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False}, False),
    ({"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {"type": "number"}}}},
      "required": ["a"], "additionalProperties": False}, False),
    ({"type": "object", "properties": {"a": {"type": "array", "items": {
        "type": "object", "properties": {"b": {"type": "number"}}, "required": ["b"],
        "additionalProperties": False}}}, "required": ["a"], "additionalProperties": False}, True),
    ({"type": "object", "properties": {"a": {"$ref": "#/$defs/A"}}, "required": ["a"], "additionalProperties": False,
      "$defs": {"A": {"type": "object", "properties": {}, "additionalProperties": False}}}, True),
    ({"type": "object", "properties": {}, "additionalProperties": False, "allOf": []}, False),
    ({"type": "array", "items": {"type": "string"}}, False),
    (zod_to_json_schema("z.object({a: z.string(), b: z.array(z.object({c: z.number()}))})"), True),
    (zod_to_json_schema("z.object({a: z.string().optional()})"), False),
])
def test_strict_only_when_the_schema_qualifies(schema: dict[str, Any], strict: bool) -> None:
    assert qualifies_for_strict(schema) is strict


# --------------------------------------------------------------------------- components


def test_output_schema_forms() -> None:
    schema = {"type": "object", "properties": {"q": {"type": "string"}}}
    assert render('<poml><p>x</p><output-schema>{"type": "object"}</output-schema></poml>').schema == \
        {"type": "object"}
    assert render("<poml><p>x</p><output-schema>{{ s }}</output-schema></poml>", {"s": schema}).schema == schema
    assert render("<poml><p>x</p><output-schema>{{ s }}</output-schema></poml>",
                  {"s": json.dumps(schema)}).schema == schema
    assert render('<poml><p>x</p><output-schema parser="eval">s</output-schema></poml>', {"s": schema}).schema == \
        schema
    assert render('<poml><p>x</p><outputSchema>{"type": "object", "title": "{{ t }}"}</outputSchema></poml>',
                  {"t": "T"}).schema == {"type": "object", "title": "T"}
    assert render("<poml><p>x</p></poml>").schema is None


def test_one_output_schema_per_prompt() -> None:
    markup = "<poml>\n<output-schema>{}</output-schema>\n<output-schema>{}</output-schema><p>x</p></poml>"
    with pytest.raises(pml.PMLRenderError) as info:
        render(markup)
    assert str(info.value).startswith("<string>:3:1: a prompt takes one `<output-schema>`")
    assert "hint: the first is at 2:1" in str(info.value)


def test_schema_body_errors_are_located() -> None:
    with pytest.raises(pml.PMLRenderError) as info:
        render('<poml><p>x</p>\n<output-schema>{"type": "object",, }</output-schema></poml>')
    assert str(info.value).startswith("<string>:2:34: `<output-schema>`: the schema is not valid JSON")
    with pytest.raises(pml.PMLRenderError) as info:
        render("<poml><output-schema><p>x</p></output-schema></poml>")
    assert "takes a JSON or Zod schema as text, not elements" in str(info.value)
    with pytest.raises(pml.PMLRenderError) as info:
        render("<poml><p>x</p><output-schema>{{ n }}</output-schema></poml>", {"n": 3})
    assert "a schema must be a JSON object, JSON text or a Pydantic model, not int" in str(info.value)


def test_pydantic_models_as_schemas_and_tools() -> None:
    pydantic = pytest.importorskip("pydantic")

    class Answer(pydantic.BaseModel):
        """The answer."""

        text: str
        score: float

    prompt = pml.loads('<poml><p>Hi</p><output-schema>{"type": "object"}</output-schema></poml>')
    assert prompt.render(output_schema=Answer).schema == Answer.model_json_schema()
    assert prompt.render().with_output_schema(Answer).schema == Answer.model_json_schema()
    assert render("<poml><p>x</p><output-schema>{{ m }}</output-schema></poml>", {"m": Answer}).schema == \
        Answer.model_json_schema()
    rendered = prompt.render().with_tools([Answer, {"name": "ping"},
                                           {"type": "function", "function": {"name": "f", "parameters": {}}}])
    assert [t.to_dict() for t in rendered.tools] == [
        {"type": "function", "name": "Answer", "description": "The answer.", "parameters": Answer.model_json_schema()},
        {"type": "function", "name": "ping", "parameters": {"type": "object", "properties": {}}},
        {"type": "function", "name": "f", "parameters": {}},
    ]
    with pytest.raises(ValueError, match="a tool needs a name"):
        prompt.render().with_tools([{"description": "x"}])


def test_tool_definitions() -> None:
    rendered = render("""<poml><p>x</p>
      <tool-definition name="a" description="A.">{"type": "object", "properties": {}}</tool-definition>
      <tool-def name="b">z.object({n: z.number()})</tool-def>
      <tool name="c"/>
    </poml>""")
    assert rendered.tools == (
        ToolSpec("a", "A.", {"type": "object", "properties": {}}),
        ToolSpec("b", None, {"type": "object", "properties": {"n": {"type": "number"}}, "required": ["n"],
                             "additionalProperties": False}),
        ToolSpec("c", None, {"type": "object", "properties": {}}),
    )
    with pytest.raises(pml.PMLRenderError, match="the tool `a` is defined twice"):
        render('<poml><p>x</p><tool name="a"/><tool name="a"/></poml>')
    with pytest.raises(pml.PMLCompileError, match="needs the attribute `name`"):
        render("<poml><tool/></poml>")


def test_runtime_takes_any_attribute_typed_like_poml() -> None:
    prompt = pml.loads("""<poml><p>x</p>
      <runtime temperature="0.2" max-output-tokens="300" stop='["END"]' stream="false" model="gpt-4o"
               seed="{{ seed }}" empty="" note="hello world" half=".5" neg="-2" obj='{"a": 1}' bad='[x'/>
      <runtime top-p="1" temperature="0.3"/></poml>""")
    assert prompt.diagnostics == []  # open attributes: no unknown-attribute warnings
    assert prompt.render({"seed": 7}).runtime == {
        "temperature": 0.3, "maxOutputTokens": 300, "stop": ["END"], "stream": False, "model": "gpt-4o",
        "seed": 7, "note": "hello world", "half": 0.5, "neg": -2, "obj": {"a": 1}, "bad": "[x", "topP": 1}
    assert render("<poml><p>x</p></poml>").runtime is None


def test_tool_request_and_response_are_message_parts() -> None:
    rendered = render("""<poml><human-msg>Q<tool-request id="c1" name="f" parameters="{{ args }}"/></human-msg>
      <tool-response id="c1" name="f"><p>R1</p><p>R2</p></tool-response><p>After</p></poml>""",
                      {"args": {"a": [1, 2]}})
    assert rendered.messages == (
        Message("human", ("Q",)),
        Message("ai", (ToolCallPart("c1", "f", {"a": [1, 2]}),)),
        Message("tool", (ToolResultPart("c1", "f", "R1\n\nR2"),)),
        Message("human", ("After",)),
    )
    assert render('<poml><tool-request id="c" name="f"/></poml>').messages == (
        Message("ai", (ToolCallPart("c", "f", {}),)),)


def test_tool_request_parameters_must_be_json() -> None:
    with pytest.raises(pml.PMLRenderError) as info:
        render('<poml><tool-request id="1" name="f" parameters="x y"/></poml>')
    assert str(info.value).startswith("<string>:1:49: `parameters` of a tool request must be JSON")


def test_tool_response_with_an_image() -> None:
    rendered = render('<poml><p>x</p><tool-response id="c" name="cam">Here: <img base64="{{ png }}"/></tool-response>'
                      "</poml>", {"png": PNG})
    [result] = rendered.messages[1].parts
    assert result == ToolResultPart("c", "cam", ("Here: ", MediaPart("image/png", PNG)))
    assert result.text == "Here: \n\n[image/png]"
    assert rendered.to_message_dict()[1]["content"][0]["content"] == ["Here: ", {"type": "image/png", "base64": PNG}]


def test_chat_off_keeps_tool_parts_in_one_message() -> None:
    rendered = render('<poml><p>Intro</p><tool-request id="c1" name="f" parameters=\'{"a":1}\'/></poml>', chat=False)
    assert rendered.to_dict() == {"messages": ["Intro", {"type": "application/vnd.poml.toolrequest",
                                                         "content": {"a": 1}, "id": "c1", "name": "f"}]}


def test_text_format_shows_tool_parts_as_json_lines() -> None:
    rendered = render('<poml><p>Intro</p><ai-msg>On it. <tool-request id="c1" name="f"/></ai-msg></poml>')
    assert rendered.text() == ('===== system =====\n\nIntro\n\n===== ai =====\n\nOn it. \n\n'
                               '{"type":"application/vnd.poml.toolrequest","content":{},"id":"c1","name":"f"}')


# --------------------------------------------------------------------------- meta


def test_meta_checks_versions() -> None:
    assert render('<poml><meta minVersion="0.0.1" maxVersion="99"/><p>x</p></poml>').messages
    with pytest.raises(pml.PMLCompileError) as info:
        render('<poml>\n<meta minVersion="9.0.0"/><p>x</p></poml>')
    assert str(info.value).startswith(f"<string>:2:19: this document needs PML 9.0.0 or higher; this is PML "
                                      f"{pml.__version__}")
    with pytest.raises(pml.PMLCompileError, match=r"0\.0\.1 or lower"):
        render('<poml><meta maxVersion="0.0.1"/><p>x</p></poml>')
    with pytest.raises(pml.PMLCompileError, match="should be a version"):
        render('<poml><meta minVersion="new"/><p>x</p></poml>')
    with pytest.raises(pml.PMLCompileError, match=r"write <output-schema> instead"):
        render('<poml><meta type="schema"/><p>x</p></poml>')


def test_meta_turns_components_off_and_on() -> None:
    with pytest.raises(pml.PMLCompileError) as info:
        render('<poml>\n<meta components="-img, -task"/><task>x</task></poml>')
    assert str(info.value) == (
        "<string>:2:34: unknown tag `<task>`\n  <meta components=\"-img, -task\"/><task>x</task></poml>\n"
        "                                   ^^^^\nhint: `<meta components>` at 2:19 turned it off")
    assert render('<poml><task>a</task><meta components="-task"/><meta components="+task"/><task>b</task></poml>'
                  ).messages == (Message("human", "# Task\n\na\n\n# Task\n\nb"),)
    with pytest.raises(pml.PMLCompileError, match=r"`task` in `components` should be `\+name`"):
        render('<poml><meta components="task"/><p>x</p></poml>')
    prompt = pml.loads('<poml><meta components="-nope"/><p>x</p></poml>')
    assert [d.message for d in prompt.diagnostics] == ["unknown component `nope` in `components`"]


# --------------------------------------------------------------------------- formats

ROUNDTRIP = """<poml>
  <system-msg>Use tools.</system-msg>
  <human-msg>Weather? <img base64="{{ png }}"/></human-msg>
  <ai-msg>Checking. <tool-request id="c1" name="weather" parameters='{"city": "Paris"}'/></ai-msg>
  <tool-response id="c1" name="weather">Sunny</tool-response>
  <human-msg>Thanks.</human-msg>
  <tool name="weather" description="Weather.">z.object({city: z.string()})</tool>
  <output-schema>z.object({answer: z.string()})</output-schema>
  <runtime max-tokens="50" temperature="0.1" stop="END" top-k="3" reasoning-effort="low"/>
</poml>"""


def _roundtrip() -> Rendered:
    return render(ROUNDTRIP, {"png": PNG})


def test_openai_chat_payload() -> None:
    payload = _roundtrip().to_openai()
    assert payload["messages"] == [
        {"role": "system", "content": "Use tools."},
        {"role": "user", "content": [{"type": "text", "text": "Weather? "},
                                     {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}}]},
        {"role": "assistant", "content": "Checking. ", "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "weather", "arguments": '{"city": "Paris"}'}}]},
        {"role": "tool", "content": "Sunny", "tool_call_id": "c1"},
        {"role": "user", "content": "Thanks."},
    ]
    params = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
              "additionalProperties": False}
    assert payload["tools"] == [{"type": "function", "function": {"name": "weather", "description": "Weather.",
                                                                  "parameters": params}}]
    assert payload["response_format"]["json_schema"]["strict"] is True
    assert {k: payload[k] for k in ("max_tokens", "temperature", "stop", "reasoning_effort", "extra_body")} == {
        "max_tokens": 50, "temperature": 0.1, "stop": "END", "reasoning_effort": "low", "extra_body": {"top_k": 3}}
    assert pml.poml(ROUNDTRIP, {"png": PNG}, format="openai_chat") == payload


def test_openai_max_token_names() -> None:
    def chat(attrs: str) -> dict[str, Any]:
        return render(f"<poml><p>x</p><runtime {attrs}/></poml>").to_openai()

    assert chat('max-output-tokens="9"')["max_completion_tokens"] == 9
    assert chat('max-completion-tokens="9"')["max_completion_tokens"] == 9
    assert chat('max-tokens="9"')["max_tokens"] == 9
    assert chat('stream="true"')["stream"] is True
    assert render("<poml><p>x</p><runtime stream='{{ s }}'/></poml>", {"s": "false"}).to_openai()["stream"] is False
    with pytest.raises(FormatError, match="`stream` should be true or false"):
        render("<poml><p>x</p><runtime stream='{{ s }}'/></poml>", {"s": "no"}).to_openai()


def test_openai_responses_payload() -> None:
    payload = _roundtrip().to_openai_responses()
    assert payload["instructions"] == "Use tools."
    assert payload["input"] == [
        {"role": "user", "content": [{"type": "input_text", "text": "Weather? "},
                                     {"type": "input_image", "image_url": f"data:image/png;base64,{PNG}",
                                      "detail": "auto"}]},
        {"role": "assistant", "content": "Checking. "},
        {"type": "function_call", "call_id": "c1", "name": "weather", "arguments": '{"city": "Paris"}'},
        {"type": "function_call_output", "call_id": "c1", "output": "Sunny"},
        {"role": "user", "content": "Thanks."},
    ]
    assert payload["tools"][0]["strict"] is True and payload["tools"][0]["name"] == "weather"
    assert payload["text"]["format"]["name"] == "schema" and payload["text"]["format"]["strict"] is True
    assert payload["max_output_tokens"] == 50 and payload["reasoning"] == {"effort": "low"}
    assert payload["extra_body"] == {"stop": "END", "top_k": 3}


def test_anthropic_payload() -> None:
    payload = _roundtrip().to_anthropic()
    assert payload["system"] == "Use tools."
    assert payload["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "Weather? "},
                                     {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                                                  "data": PNG}}]},
        {"role": "assistant", "content": [{"type": "text", "text": "Checking. "},
                                          {"type": "tool_use", "id": "c1", "name": "weather",
                                           "input": {"city": "Paris"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "c1", "content": "Sunny"},
                                     {"type": "text", "text": "Thanks."}]},
    ]
    assert payload["tools"][0]["input_schema"]["required"] == ["city"]
    assert payload["output_config"]["format"]["type"] == "json_schema"
    assert payload["max_tokens"] == 50 and payload["stop_sequences"] == ["END"]
    assert payload["extra_body"] == {"temperature": 0.1, "top_k": 3, "reasoning_effort": "low"}


def test_anthropic_puts_tool_results_first_in_a_merged_turn() -> None:
    payload = render('<poml><human-msg>Go.</human-msg><tool-request id="c" name="f"/>'
                     '<human-msg>Also this.</human-msg><tool-response id="c" name="f">done</tool-response>'
                     "</poml>").to_anthropic()
    assert payload["messages"][2] == {"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "c", "content": "done"}, {"type": "text", "text": "Also this."}]}


@pytest.mark.parametrize(("markup", "message"), [
    ("<poml><system-msg>Only system.</system-msg></poml>", "needs at least one user message"),
    ("<poml><ai-msg>Hi!</ai-msg><human-msg>Hello</human-msg></poml>", "start with a user message"),
    ('<poml><system-msg>See <img base64="{{ png }}"/></system-msg><human-msg>x</human-msg></poml>',
     "text only in the system prompt"),
    ('<poml><human-msg>Hear <audio base64="{{ mp3 }}" type="audio/mpeg"/></human-msg></poml>', "takes no audio"),
    ('<poml><human-msg>x</human-msg><tool-request id="c" name="f" parameters="[1]"/></poml>',
     "arguments to be an object"),
])
def test_anthropic_refuses_what_the_api_refuses(markup: str, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        render(markup, {"png": PNG, "mp3": base64.b64encode(b"ID3abc").decode()}).to_anthropic()


def test_openai_refuses_media_outside_user_messages_and_loose_tool_messages() -> None:
    with pytest.raises(FormatError, match="only in user messages"):
        render('<poml><ai-msg>Look <img base64="{{ png }}"/></ai-msg></poml>', {"png": PNG}).to_openai()
    loose_tool = render('<poml><conversation messages="{{ m }}"/></poml>',
                        {"m": [{"speaker": "human", "content": "q"}, {"speaker": "tool", "content": "r"}]})
    for target in (Rendered.to_openai, Rendered.to_openai_responses, Rendered.to_anthropic, Rendered.to_gemini):
        with pytest.raises(FormatError, match="is not a tool result"):
            target(loose_tool)


def test_openai_audio_and_tool_results_with_images() -> None:
    mp3 = base64.b64encode(b"ID3abc").decode()
    chat = render('<poml><human-msg>Hear <audio base64="{{ mp3 }}"/></human-msg></poml>', {"mp3": mp3}).to_openai()
    assert chat["messages"][0]["content"][1] == {"type": "input_audio", "input_audio": {"data": mp3, "format": "mp3"}}
    rendered = render('<poml><human-msg>Snap</human-msg><tool-request id="c" name="cam"/>'
                      '<tool-response id="c" name="cam">Here <img base64="{{ png }}" alt="cat" syntax="multimedia"/>'
                      "</tool-response></poml>", {"png": PNG})
    assert rendered.to_openai()["messages"][2] == {"role": "tool", "content": "Here \n\n[image/png: cat]",
                                                   "tool_call_id": "c"}
    assert rendered.to_openai_responses()["input"][2]["output"] == [
        {"type": "input_text", "text": "Here "},
        {"type": "input_image", "image_url": f"data:image/png;base64,{PNG}", "detail": "auto"}]


def test_gemini_payload() -> None:
    payload = _roundtrip().to_gemini()
    assert payload["systemInstruction"] == {"parts": [{"text": "Use tools."}]}
    assert payload["contents"] == [
        {"role": "user", "parts": [{"text": "Weather? "}, {"inlineData": {"mimeType": "image/png", "data": PNG}}]},
        {"role": "model", "parts": [{"text": "Checking. "},
                                    {"functionCall": {"id": "c1", "name": "weather", "args": {"city": "Paris"}}}]},
        {"role": "user", "parts": [{"functionResponse": {"id": "c1", "name": "weather",
                                                         "response": {"output": "Sunny"}}},
                                   {"text": "Thanks."}]},
    ]
    assert payload["tools"] == [{"functionDeclarations": [{
        "name": "weather", "description": "Weather.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]}]
    assert payload["generationConfig"] == {
        "responseMimeType": "application/json",
        "responseSchema": {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]},
        "maxOutputTokens": 50, "temperature": 0.1, "stopSequences": ["END"], "topK": 3, "reasoningEffort": "low"}


def test_gemini_schema_subset() -> None:
    schema = {"$defs": {"Item": {"type": "object", "properties": {"n": {"const": 1}}, "additionalProperties": False}},
              "type": "object", "title": "T",
              "properties": {"item": {"$ref": "#/$defs/Item"}, "note": {"type": ["string", "null"]}}}
    assert gemini_schema(schema) == {"type": "object", "title": "T", "properties": {
        "item": {"type": "object", "properties": {"n": {"enum": [1]}}}, "note": {"type": "string", "nullable": True}}}
    with pytest.raises(FormatError, match="recursive"):
        gemini_schema({"$defs": {"A": {"properties": {"a": {"$ref": "#/$defs/A"}}}}, "$ref": "#/$defs/A"})


def test_langchain_payload_reads_back_with_langchain_shapes() -> None:
    payload = _roundtrip().to_langchain()
    assert payload["messages"] == [
        {"type": "system", "data": {"content": "Use tools."}},
        {"type": "human", "data": {"content": [
            {"type": "text", "text": "Weather? "},
            {"type": "image", "source_type": "base64", "data": PNG, "mime_type": "image/png"}]}},
        {"type": "ai", "data": {"content": "Checking. ", "tool_calls": [
            {"id": "c1", "name": "weather", "args": {"city": "Paris"}}]}},
        {"type": "tool", "data": {"content": "Sunny", "tool_call_id": "c1", "name": "weather"}},
        {"type": "human", "data": {"content": "Thanks."}},
    ]
    assert set(payload) == {"messages", "schema", "tools", "runtime"}
    calls_only = render('<poml><tool-request id="c" name="f"/></poml>').to_langchain()
    assert calls_only["messages"] == [{"type": "ai", "data": {"content": "", "tool_calls": [
        {"id": "c", "name": "f", "args": {}}]}}]


def test_pydantic_frame_has_pomls_classes() -> None:
    frame = _roundtrip().to_pydantic()
    assert type(frame).__name__ == "PomlFrame"
    assert [type(p).__name__ for p in frame.messages[1].content] == ["str", "ContentMultiMedia"]
    assert type(frame.messages[2].content[1]).__name__ == "ContentMultiMediaToolRequest"
    assert type(frame.messages[3].content[0]).__name__ == "ContentMultiMediaToolResponse"
    assert frame.output_schema == _roundtrip().schema and frame.runtime == _roundtrip().runtime
    poml_api = pytest.importorskip("poml.api")
    from pml.output.targets import frame as ours

    for name in ("PomlFrame", "PomlMessage", "ContentMultiMedia", "ContentMultiMediaToolRequest",
                 "ContentMultiMediaToolResponse"):
        assert set(getattr(ours, name).model_fields) == set(getattr(poml_api, name).model_fields), name
    assert poml_api.PomlFrame.model_validate(frame.model_dump()).model_dump() == frame.model_dump()


def test_dict_raw_and_message_dict() -> None:
    rendered = _roundtrip()
    data = rendered.to_dict()
    assert list(data) == ["messages", "schema", "tools", "runtime"]
    assert data["tools"] == [t.to_dict() for t in rendered.tools]
    assert json.loads(rendered.to_format("raw")) == data
    assert data["messages"] == rendered.to_message_dict()
    assert rendered.to_message_dict()[2]["content"][1] == {
        "type": "application/vnd.poml.toolrequest", "content": {"city": "Paris"}, "id": "c1", "name": "weather"}


def test_poml_call_formats() -> None:
    markup = "<poml><p>Hi</p><runtime temperature='0.5'/></poml>"
    assert pml.poml(markup, format="dict") == {"messages": [{"speaker": "human", "content": "Hi"}],
                                               "runtime": {"temperature": 0.5}}
    assert type(pml.poml(markup, format="pydantic")).__name__ == "PomlFrame"
    assert pml.poml(markup, format="langchain")["runtime"] == {"temperature": 0.5}
    assert pml.poml(markup, format="gemini")["generationConfig"] == {"temperature": 0.5}
    with pytest.raises(ValueError, match="unknown format 'nope'"):
        pml.poml(markup, format="nope")


def test_every_format_is_a_cli_choice(tmp_path: Path) -> None:
    assert {f.value for f in Format} == set(FORMATS)
    prompt = tmp_path / "p.pml"
    prompt.write_text(ROUNDTRIP.replace("{{ png }}", PNG), encoding="utf-8")
    runner = CliRunner()
    for name in FORMATS:
        result = runner.invoke(app, ["render", str(prompt), "--format", name])
        assert result.exit_code == 0, (name, result.output)
        if name not in ("text", "raw"):
            json.loads(result.stdout)
    only_system = tmp_path / "s.pml"
    only_system.write_text("<poml><system-msg>x</system-msg></poml>", encoding="utf-8")
    result = runner.invoke(app, ["render", str(only_system), "--format", "anthropic"])
    assert result.exit_code == 1
    assert "needs at least one user message" in result.output


# --------------------------------------------------------------------------- POML's examples


def test_205_output_schema_from_context() -> None:
    context = json.loads((EXAMPLES / "205_expense_check_compliance.context.json").read_text(encoding="utf-8"))
    rendered = pml.load(EXAMPLES / "205_expense_check_compliance.poml").render(context)
    assert rendered.schema == context["compliance_output_schema"]
    assert rendered.to_openai()["response_format"]["json_schema"]["strict"] is \
        qualifies_for_strict(context["compliance_output_schema"])


def test_206_zod_tool_is_the_tool_poml_makes() -> None:
    rendered = pml.load(EXAMPLES / "206_expense_send_email.poml").render(
        json.loads((EXAMPLES / "206_expense_send_email.context.json").read_text(encoding="utf-8")))
    # As POML 0.0.8 renders it (`format="dict"`).
    assert [t.to_dict() for t in rendered.tools] == [{
        "type": "function", "name": "send_email",
        "description": "Send an email with specified to, subject, body, and optional metadata.",
        "parameters": {"type": "object",
                       "properties": {"to": {"type": "string"}, "subject": {"type": "string"},
                                      "body": {"type": "string"}},
                       "required": ["to", "subject", "body"], "additionalProperties": False}}]
    assert rendered.to_openai_responses()["tools"][0]["strict"] is True


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format 'nope'; choose one of openai, openai_chat"):
        _roundtrip().to_format("nope")

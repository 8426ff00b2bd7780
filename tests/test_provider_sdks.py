"""The provider payloads against the official SDKs: their request types, and a real call.

Each payload is validated against the SDK's own request type (a `TypedDict`, checked with a
Pydantic `TypeAdapter`; the SDK's `Iterable[…]` fields, which Pydantic would validate lazily,
are read as lists so that everything is checked, and the validated value must equal the
payload, so no key was dropped as unknown). Then it is
sent with the SDK's client (`create(**payload)`) to a stub server on 127.0.0.1 that records the
request body, which must be the payload itself (with `extra_body` merged in, as the SDKs do).
"""

from __future__ import annotations

import base64
import collections.abc
import functools
import json
import operator
import threading
import types
import typing
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
import typing_extensions
from typing_extensions import NotRequired, Required

import pml

openai = pytest.importorskip("openai")
anthropic = pytest.importorskip("anthropic")
from anthropic.types.message_create_params import MessageCreateParamsNonStreaming  # noqa: E402
from openai.types.chat.completion_create_params import CompletionCreateParamsNonStreaming  # noqa: E402
from openai.types.responses.response_create_params import ResponseCreateParamsNonStreaming  # noqa: E402
from pydantic import ConfigDict, TypeAdapter  # noqa: E402

# A 1×1 PNG.
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e0a8b07c0000000049454e44ae426082"
)).decode("ascii")

TOOLS = """
  <tool-definition name="get_weather" description="The current weather in a city.">
    {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}
  </tool-definition>
  <tool name="get_forecast" description="The forecast." parser="eval">
    z.object({location: z.string().describe("A city"), days: z.number().int().min(1)})
  </tool>
"""

DOCUMENTS: dict[str, str] = {
    "plain": """<poml>
  <system-msg>Be brief.</system-msg>
  <human-msg>Hello, {{ name }}.</human-msg>
  <ai-msg>Hello!</ai-msg>
  <human-msg>How are you?</human-msg>
</poml>""",
    "image": """<poml>
  <system-msg>You describe pictures.</system-msg>
  <human-msg>What is in this picture? <img base64="{{ png }}"/> Be short.</human-msg>
</poml>""",
    "tools": f"""<poml>
  <system-msg>Use the tools.</system-msg>
  <human-msg>Weather in {{{{ name }}}}, and the forecast?</human-msg>
  <ai-msg>Checking. <tool-request id="call_1" name="get_weather" parameters="{{{{ {{'location': name}} }}}}"/>
    <tool-request id="call_2" name="get_forecast" parameters='{{"location": "Paris", "days": 2}}'/></ai-msg>
  <tool-response id="call_1" name="get_weather">Sunny, <b>21C</b></tool-response>
  <tool-response id="call_2" name="get_forecast"><p>Rain</p><p>Sun</p></tool-response>
  <human-msg>Thanks. Summarize.</human-msg>
  {TOOLS}
</poml>""",
    "tool_result_image": """<poml>
  <human-msg>Take a picture.</human-msg>
  <tool-request id="c1" name="camera"/>
  <tool-response id="c1" name="camera">Here it is: <img base64="{{ png }}"/></tool-response>
  <tool name="camera" description="Takes a picture."/>
</poml>""",
    "schema_strict": """<poml>
  <task>Extract the total.</task>
  <output-schema>z.object({total: z.number(), currency: z.enum(["USD", "EUR"])})</output-schema>
</poml>""",
    "schema_not_strict": """<poml>
  <task>Extract the total.</task>
  <output-schema>{"type": "object", "properties": {"total": {"type": "number"}}}</output-schema>
</poml>""",
    "runtime": """<poml>
  <p>Write a haiku.</p>
  <runtime temperature="0.5" top-p="0.9" max-tokens="50" stop='["END"]' stream="false" top-k="40"/>
</poml>""",
}
CONTEXT = {"name": "Paris", "png": PNG}


def _rendered(name: str) -> pml.Rendered:
    return pml.loads(DOCUMENTS[name]).render(CONTEXT)


# --------------------------------------------------------------------------- request types


def _eager(kind: Any, seen: dict[Any, Any]) -> Any:
    """The type with every `Iterable[X]` (which Pydantic validates lazily) made `list[X]`, so that
    validation is complete and happens at once; TypedDicts are rebuilt with eager fields."""
    if kind in seen:
        return seen[kind]
    if typing_extensions.is_typeddict(kind):
        hints = typing.get_type_hints(kind, include_extras=True)
        fields: dict[str, Any] = {}
        for key, hint in hints.items():
            while typing.get_origin(hint) in (Required, NotRequired):
                hint = typing.get_args(hint)[0]
            wrap = Required if key in kind.__required_keys__ else NotRequired
            fields[key] = wrap[_eager(hint, seen)]
        eager = typing_extensions.TypedDict(kind.__name__, fields, total=False)  # type: ignore[operator]
        eager.__pydantic_config__ = ConfigDict(arbitrary_types_allowed=True)  # file uploads are IO[bytes]
        seen[kind] = eager
        return eager
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is None or not args:
        return kind
    if origin is typing.Annotated or origin is typing_extensions.Annotated:
        return typing_extensions.Annotated[(_eager(args[0], seen), *kind.__metadata__)]
    if origin is typing.Literal or origin is typing_extensions.Literal:
        return kind
    if origin in (typing.Union, types.UnionType):
        members = [_eager(a, seen) for a in args]
        if dict[str, object] in members:  # any object fits (e.g. Anthropic's `input_schema`)
            return dict[str, object]
        return functools.reduce(operator.or_, members)
    if origin in (collections.abc.Iterable, collections.abc.Sequence, list) or "SequenceNotStr" in repr(kind):
        return list[_eager(args[0], seen)]  # type: ignore[misc]
    if origin in (dict, collections.abc.Mapping):
        return dict[_eager(args[0], seen), _eager(args[1], seen)]  # type: ignore[misc]
    return kind


@functools.cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(_eager(kind, {}))


def _validate(kind: Any, payload: dict[str, Any], **fixed: Any) -> None:
    """Validate the keyword arguments the SDK names (`extra_body` is, by design, beyond its types)."""
    data = json.loads(json.dumps({**{k: v for k, v in payload.items() if k != "extra_body"}, **fixed}))
    validated = _adapter(kind).validate_python(data)
    assert validated == data  # nothing was dropped as an unknown key


def _request(payload: dict[str, Any], **fixed: Any) -> dict[str, Any]:
    """The request body the SDK sends for `create(**payload, **fixed)`."""
    body = {k: v for k, v in payload.items() if k != "extra_body"}
    body.update(payload.get("extra_body", {}))
    body.update(fixed)
    return json.loads(json.dumps(body))


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_openai_chat_payload_is_a_completion_request(name: str) -> None:
    _validate(CompletionCreateParamsNonStreaming, _rendered(name).to_openai(), model="gpt-4o")


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_openai_responses_payload_is_a_response_request(name: str) -> None:
    _validate(ResponseCreateParamsNonStreaming, _rendered(name).to_openai_responses(), model="gpt-4o")


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_anthropic_payload_is_a_message_request(name: str) -> None:
    payload = _rendered(name).to_anthropic()
    _validate(MessageCreateParamsNonStreaming, payload, model="claude-test", max_tokens=payload.get("max_tokens", 100))


def test_the_named_parameters_are_sdk_keywords() -> None:
    """Every parameter a payload puts at the top level is a keyword argument of the SDK's `create`."""
    import inspect

    from anthropic.resources import Messages
    from openai.resources.chat import Completions
    from openai.resources.responses import Responses

    from pml.output.targets import anthropic_messages, openai_chat, openai_responses

    for params, method in ((openai_chat.PARAMS, Completions.create), (openai_responses.PARAMS, Responses.create),
                           (anthropic_messages.PARAMS, Messages.create)):
        assert params <= set(inspect.signature(method).parameters), method


# --------------------------------------------------------------------------- a real call


class _Recorder(BaseHTTPRequestHandler):
    requests: ClassVar[list[tuple[str, dict[str, Any]]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        type(self).requests.append((self.path, body))
        answer = _ANSWERS[next(k for k in _ANSWERS if self.path.endswith(k))]
        data = json.dumps(answer).encode("utf-8")
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return


_ANSWERS: dict[str, dict[str, Any]] = {
    "/chat/completions": {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "gpt-4o",
        "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                     "message": {"role": "assistant", "content": "ok", "refusal": None}}],
    },
    "/responses": {
        "id": "resp_1", "object": "response", "created_at": 0, "model": "gpt-4o", "status": "completed",
        "output": [{"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
                    "content": [{"type": "output_text", "text": "ok", "annotations": []}]}],
        "parallel_tool_calls": True, "tool_choice": "auto", "tools": [],
    },
    "/messages": {
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-test",
        "content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn", "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 1},
    },
}


@pytest.fixture(scope="module")
def stub() -> Iterator[str]:
    """A local HTTP server answering the three endpoints; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _last_request(path: str) -> dict[str, Any]:
    recorded_path, body = _Recorder.requests[-1]
    assert recorded_path.endswith(path)
    return body


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_openai_chat_call(name: str, stub: str) -> None:
    client = openai.OpenAI(base_url=f"{stub}/v1", api_key="test", max_retries=0)
    payload = _rendered(name).to_openai()
    reply = client.chat.completions.create(**payload, model="gpt-4o")
    assert reply.choices[0].message.content == "ok"
    assert _last_request("/v1/chat/completions") == _request(payload, model="gpt-4o")


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_openai_responses_call(name: str, stub: str) -> None:
    client = openai.OpenAI(base_url=f"{stub}/v1", api_key="test", max_retries=0)
    payload = _rendered(name).to_openai_responses()
    reply = client.responses.create(**payload, model="gpt-4o")
    assert reply.output_text == "ok"
    assert _last_request("/v1/responses") == _request(payload, model="gpt-4o")


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_anthropic_call(name: str, stub: str) -> None:
    client = anthropic.Anthropic(base_url=stub, api_key="test", max_retries=0)
    payload = _rendered(name).to_anthropic()
    fixed: dict[str, Any] = {"model": "claude-test"}
    if "max_tokens" not in payload:
        fixed["max_tokens"] = 100
    reply = client.messages.create(**payload, **fixed)
    assert reply.content[0].text == "ok"
    assert _last_request("/v1/messages") == _request(payload, **fixed)


# --------------------------------------------------------------------------- what was covered


def test_the_documents_cover_each_feature() -> None:
    chat = {name: _rendered(name).to_openai() for name in DOCUMENTS}
    assert any(p["type"] == "image_url" for p in chat["image"]["messages"][1]["content"])
    assert [m["role"] for m in chat["tools"]["messages"]] == ["system", "user", "assistant", "tool", "tool", "user"]
    assert chat["schema_strict"]["response_format"]["json_schema"]["strict"] is True
    assert chat["schema_not_strict"]["response_format"]["json_schema"]["strict"] is False
    assert chat["runtime"]["max_tokens"] == 50 and chat["runtime"]["extra_body"] == {"top_k": 40}
    assert chat["runtime"]["stream"] is False
    claude = _rendered("tool_result_image").to_anthropic()
    assert claude["messages"][2]["content"][0]["content"][1]["type"] == "image"


def test_langchain_payload_reads_back_with_messages_from_dict() -> None:
    """LangChain's own reader turns the `langchain` payload into its message objects."""
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage, messages_from_dict

    markup = (
        "<poml><system-msg>Be brief.</system-msg><human-msg>Weather in Paris?</human-msg>"
        "<tool-request id=\"c1\" name=\"weather\" parameters='{\"city\": \"Paris\"}'/>"
        "<tool-response id=\"c1\" name=\"weather\">Sunny</tool-response></poml>"
    )
    messages = messages_from_dict(pml.render(markup, format="langchain")["messages"])
    assert [type(m) for m in messages] == [SystemMessage, HumanMessage, AIMessage, ToolMessage]
    assert messages[2].tool_calls == [{"name": "weather", "args": {"city": "Paris"}, "id": "c1", "type": "tool_call"}]
    assert (messages[3].content, messages[3].tool_call_id) == ("Sunny", "c1")


# --------------------------------------------------------------------------- cache marks
CACHED = ('<poml><tool-definition name="lookup" description="Find an order.">'
          '{"type": "object", "properties": {"id": {"type": "string"}}}</tool-definition>'
          '<runtime max-tokens="64"/>'
          '<schema><module name="policy" cache="true"><p>{{ "Refunds are due within thirty days. " * 150 }}</p>'
          '</module></schema><use module="policy"/><human-msg>{{ question }}</human-msg></poml>')


def test_anthropic_payload_with_a_cache_breakpoint_is_an_sdk_request(stub: str) -> None:
    payload = pml.loads(CACHED).render(question="Q?").to_anthropic("claude-sonnet-4-5")
    assert payload["system"][-1]["cache_control"] == {"type": "ephemeral"}
    _validate(MessageCreateParamsNonStreaming, payload, model="claude-sonnet-4-5")
    client = anthropic.Anthropic(base_url=stub, api_key="test", max_retries=0)
    assert client.messages.create(**payload, model="claude-test").content[0].text == "ok"
    assert _last_request("/v1/messages") == _request(payload, model="claude-test")


def test_openai_payloads_with_a_prompt_cache_key_are_sdk_requests(stub: str) -> None:
    rendered = pml.loads(CACHED).render(question="Q?")
    client = openai.OpenAI(base_url=f"{stub}/v1", api_key="test", max_retries=0)
    chat = rendered.to_openai()
    assert chat["prompt_cache_key"].startswith("pml-")
    _validate(CompletionCreateParamsNonStreaming, chat, model="gpt-4o")
    assert client.chat.completions.create(**chat, model="gpt-4o").choices[0].message.content == "ok"
    assert _last_request("/v1/chat/completions") == _request(chat, model="gpt-4o")
    responses = rendered.to_openai_responses()
    assert responses["prompt_cache_key"] == chat["prompt_cache_key"]
    _validate(ResponseCreateParamsNonStreaming, responses, model="gpt-4o")
    assert client.responses.create(**responses, model="gpt-4o").output_text == "ok"
    assert _last_request("/v1/responses") == _request(responses, model="gpt-4o")

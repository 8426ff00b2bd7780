"""JSON schemas from what authors write: JSON, a safe subset of Zod, data, or a Pydantic model.

POML evaluates `parser="eval"` bodies as JavaScript with Zod in scope. PML never runs code: the
Zod subset below is *parsed* into JSON schema, the same schema POML's Zod conversion produces
for it. Anything outside the subset is an error that says where and what is supported.

Supported: `z.object({...})`, `z.string()`, `z.number()`, `z.int()`, `z.boolean()`, `z.null()`,
`z.any()`, `z.unknown()`, `z.array(s)`, `z.enum([...])`, `z.literal(v)`, `z.union([...])`,
`z.record(s)`, `z.optional(s)`, `z.nullable(s)`, and the methods `.optional()`, `.nullable()`,
`.describe(text)`, `.default(value)`, `.int()`, `.min(n)`, `.max(n)`, `.length(n)`, `.gt(n)`,
`.gte(n)`, `.lt(n)`, `.lte(n)`, `.positive()`, `.nonnegative()`, `.negative()`,
`.nonpositive()`, `.email()`, `.url()`, `.uuid()`, `.datetime()`, `.date()`, `.array()`,
`.strict()` and `.passthrough()`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from pml import limits
from pml.values import kind_of

ZOD_HINT = "write the schema as JSON (a body starting with `{`), or see docs/language.md for the Zod subset"


class SchemaError(ValueError):
    """A schema body that cannot be read. `offset` is where in the body the problem is."""

    def __init__(self, message: str, offset: int = 0, hint: str | None = None) -> None:
        super().__init__(message)
        self.offset = offset
        self.hint = hint


# ---------------------------------------------------------------------------- values


def schema_from_value(value: Any) -> dict[str, Any]:
    """A JSON schema from data: a dict, JSON text, or a Pydantic model class (or instance)."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("z."):
            return zod_to_json_schema(text)
        return json_schema_text(text)
    model_schema = getattr(value, "model_json_schema", None)
    if callable(model_schema):  # a Pydantic model class or instance (Pydantic is never imported here)
        schema = model_schema()
        if isinstance(schema, dict):
            return schema
    raise SchemaError(f"a schema must be a JSON object, JSON text or a Pydantic model, not {type(value).__name__}")


# ---------------------------------------------------------------------------- OpenAI strict mode

_NOT_STRICT_KEYS = ("allOf", "oneOf", "not", "if", "then", "else", "patternProperties", "dependentSchemas")


def qualifies_for_strict(schema: Any) -> bool:
    """True when OpenAI's strict structured-output mode accepts the schema as it is.

    The root is an object; every object schema has `additionalProperties: false` and lists all
    of its properties in `required`; no `allOf`, `oneOf`, `not` or conditional keywords.
    """
    if not isinstance(schema, dict) or not _is_object(schema):
        return False
    return _strict(schema)


def _is_object(node: dict[str, Any]) -> bool:
    kind = node.get("type")
    return kind == "object" or (isinstance(kind, list) and "object" in kind) or "properties" in node


def _strict(node: Any) -> bool:
    if isinstance(node, list):
        return all(_strict(item) for item in node)
    if not isinstance(node, dict):
        return True
    if any(key in node for key in _NOT_STRICT_KEYS):
        return False
    if _is_object(node):
        properties = node.get("properties") or {}
        if node.get("additionalProperties") is not False:
            return False
        if not isinstance(properties, dict) or set(node.get("required") or []) != set(properties):
            return False
    for key in ("properties", "$defs", "definitions"):
        children = node.get(key)
        if isinstance(children, dict) and not all(_strict(child) for child in children.values()):
            return False
    for key in ("items", "anyOf", "prefixItems"):
        if key in node and not _strict(node[key]):
            return False
    return True


# ---------------------------------------------------------------------------- Zod: tokens

_TOKEN = re.compile(
    r"""(?P<space>\s+|//[^\n]*|/\*.*?\*/)
      |(?P<number>-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
      |(?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
      |(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\$]|\\.)*`)
      |(?P<punct>[.(){}\[\],:])""",
    re.X | re.S,
)


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str
    text: str
    offset: int


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:  # reported by the parser if it is reached
            out.append(_Tok("other", text[position], position))
            position += 1
            continue
        kind = match.lastgroup or ""
        if kind != "space":
            out.append(_Tok(kind, match.group(), position))
        position = match.end()
    out.append(_Tok("end", "", len(text)))
    return out


def _unquote(token: _Tok) -> str:
    body = token.text[1:-1]
    if token.text[0] == "`":
        return re.sub(r"\\(.)", r"\1", body)
    if token.text[0] == "'":
        body = body.replace('\\"', '"').replace("\\'", "'").replace('"', '\\"')
    try:
        return json.loads(f'"{body}"')
    except json.JSONDecodeError:
        raise SchemaError("this string is not valid", token.offset) from None


# ---------------------------------------------------------------------------- Zod: parser


@dataclass(slots=True)
class _Zod:
    """A parsed Zod schema: its JSON schema and whether it is optional in an object."""

    schema: dict[str, Any]
    optional: bool = False


def zod_to_json_schema(text: str) -> dict[str, Any]:
    """Parse a Zod expression of the supported subset into JSON schema (never evaluated)."""
    parser = _Parser(_tokens(text))
    result = parser.schema()
    parser.expect("end", "the end of the schema")
    return result.schema


class _Parser:
    def __init__(self, tokens: list[_Tok]) -> None:
        self.tokens = tokens
        self.index = 0

    @property
    def token(self) -> _Tok:
        return self.tokens[self.index]

    def take(self) -> _Tok:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def accept(self, text: str) -> bool:
        if self.token.kind == "punct" and self.token.text == text:
            self.index += 1
            return True
        return False

    def expect(self, text: str, what: str | None = None) -> _Tok:
        token = self.token
        if (text == "end" and token.kind == "end") or (token.kind == "punct" and token.text == text):
            self.index += 1
            return token
        shown = f"`{token.text}`" if token.text else "the end"
        raise SchemaError(f"expected {what or f'`{text}`'} in the Zod schema, found {shown}", token.offset,
                          ZOD_HINT)

    # -- schemas
    def schema(self) -> _Zod:
        start = self.token
        if start.kind != "name" or start.text != "z":
            raise SchemaError(f"expected a Zod schema such as `z.string()`, found `{start.text or 'the end'}`",
                              start.offset, ZOD_HINT)
        self.take()
        self.expect(".")
        name = self.take()
        if name.kind != "name":
            raise SchemaError("expected a Zod type name after `z.`", name.offset, ZOD_HINT)
        result = self.constructor(name)
        while self.accept("."):
            method = self.take()
            if method.kind != "name":
                raise SchemaError("expected a method name after `.`", method.offset, ZOD_HINT)
            result = self.method(result, method)
        return result

    def arguments(self) -> list[tuple[Any, int]]:
        self.expect("(")
        args: list[tuple[Any, int]] = []
        while not self.accept(")"):
            offset = self.token.offset
            args.append((self.value(), offset))
            if not self.accept(","):
                self.expect(")", "`,` or `)`")
                break
        return args

    def value(self) -> Any:
        token = self.token
        if token.kind == "name" and token.text == "z":
            return self.schema()
        if token.kind == "string":
            self.take()
            return _unquote(token)
        if token.kind == "number":
            self.take()
            number = float(token.text)
            return int(number) if number.is_integer() and re.fullmatch(r"-?\d+", token.text) else number
        if token.kind == "name" and token.text in ("true", "false", "null"):
            self.take()
            return {"true": True, "false": False, "null": None}[token.text]
        if self.accept("{"):
            return self.object_literal()
        if self.accept("["):
            items: list[Any] = []
            while not self.accept("]"):
                items.append(self.value())
                if not self.accept(","):
                    self.expect("]", "`,` or `]`")
                    break
            return items
        if token.kind == "end":
            raise SchemaError("the Zod schema ends too early", token.offset, ZOD_HINT)
        if token.kind == "other":
            what = "regular expressions are" if token.text == "/" else f"`{token.text}` is"
            raise SchemaError(f"{what} not supported in PML's Zod subset", token.offset, ZOD_HINT)
        raise SchemaError(f"`{token.text}` is not supported in a Zod schema: PML reads Zod, it does not run it",
                          token.offset, ZOD_HINT)

    def object_literal(self) -> dict[str, Any]:
        shape: dict[str, Any] = {}
        while not self.accept("}"):
            key = self.take()
            if key.kind == "name":
                name = key.text
            elif key.kind == "string":
                name = _unquote(key)
            else:
                raise SchemaError("expected a property name", key.offset, ZOD_HINT)
            self.expect(":")
            shape[name] = self.value()
            if not self.accept(","):
                self.expect("}", "`,` or `}`")
                break
        return shape

    # -- z.<type>(...)
    def constructor(self, name: _Tok) -> _Zod:
        kind = name.text
        if kind not in _CONSTRUCTORS:
            raise SchemaError(f"`z.{kind}` is not supported", name.offset, ZOD_HINT)
        args = self.arguments()
        simple = {"string": "string", "number": "number", "int": "integer", "boolean": "boolean", "null": "null"}
        if kind in simple:
            return _Zod({"type": simple[kind]})
        if kind in ("any", "unknown"):
            return _Zod({})
        if kind == "object":
            shape = _arg(args, 0, dict, name, "an object of fields")
            return _Zod(_object(shape, name))
        if kind == "array":
            return _Zod({"type": "array", "items": _schema_arg(args, 0, name).schema})
        if kind == "enum":
            values = _arg(args, 0, list, name, "a list of strings")
            if not values or not all(isinstance(v, str) for v in values):
                raise SchemaError("`z.enum` takes a list of strings", name.offset, ZOD_HINT)
            return _Zod({"type": "string", "enum": values})
        if kind == "literal":
            if not args or isinstance(args[0][0], (_Zod, dict, list)):
                raise SchemaError("`z.literal` takes a string, number, boolean or null", name.offset, ZOD_HINT)
            return _Zod(_literal(args[0][0]))
        if kind == "union":
            options = _arg(args, 0, list, name, "a list of schemas")
            if not all(isinstance(o, _Zod) for o in options):
                raise SchemaError("`z.union` takes a list of schemas", name.offset, ZOD_HINT)
            return _Zod({"anyOf": [o.schema for o in options]})
        if kind == "record":
            value = _schema_arg(args, len(args) - 1 if args else 0, name)
            return _Zod({"type": "object", "additionalProperties": value.schema})
        if kind == "optional":
            return _Zod(_schema_arg(args, 0, name).schema, True)
        if kind == "nullable":
            inner = _schema_arg(args, 0, name)
            return _Zod({"anyOf": [inner.schema, {"type": "null"}]}, inner.optional)
        raise SchemaError(f"`z.{kind}` is not supported", name.offset, ZOD_HINT)

    # -- .<method>(...)
    def method(self, result: _Zod, name: _Tok) -> _Zod:
        kind = name.text
        if kind not in _METHODS:
            raise SchemaError(f"`.{kind}()` is not supported in PML's Zod subset", name.offset, ZOD_HINT)
        args = self.arguments()
        schema = dict(result.schema)
        if kind == "optional":
            return _Zod(schema, True)
        if kind == "nullable":
            return _Zod({"anyOf": [schema, {"type": "null"}]}, result.optional)
        if kind == "describe":
            text = _arg(args, 0, str, name, "a string")
            schema.pop("description", None)
            return _Zod({"description": text, **schema}, result.optional)
        if kind == "default":
            if not args:
                raise SchemaError("`.default` takes a value", name.offset, ZOD_HINT)
            return _Zod({"default": args[0][0], **schema}, result.optional)
        if kind == "array":
            return _Zod({"type": "array", "items": schema}, result.optional)
        if kind in ("strict", "passthrough"):
            if "properties" not in schema:
                raise SchemaError(f"`.{kind}()` applies to objects", name.offset, ZOD_HINT)
            if kind == "passthrough":
                schema.pop("additionalProperties", None)
            return _Zod(schema, result.optional)
        if kind in _FORMATS:
            _need(schema, "string", name)
            schema["format"] = _FORMATS[kind]
            return _Zod(schema, result.optional)
        if kind == "int":
            _need(schema, "number", name)
            schema["type"] = "integer"
            return _Zod(schema, result.optional)
        if kind in _SIGNS:
            _need(schema, "number", name)
            key, bound = _SIGNS[kind]
            schema[key] = bound
            return _Zod(schema, result.optional)
        if kind in ("min", "max", "length", "gt", "gte", "lt", "lte"):
            bound = _arg(args, 0, (int, float), name, "a number")
            for key in _bound_keys(schema, kind, name):
                schema[key] = bound
            return _Zod(schema, result.optional)
        raise SchemaError(f"`.{kind}()` is not supported in PML's Zod subset", name.offset, ZOD_HINT)


_CONSTRUCTORS = frozenset({"string", "number", "int", "boolean", "null", "any", "unknown", "object", "array", "enum",
                           "literal", "union", "record", "optional", "nullable"})
_METHODS = frozenset({"optional", "nullable", "describe", "default", "array", "strict", "passthrough", "email", "url",
                      "uuid", "datetime", "date", "int", "positive", "nonnegative", "negative", "nonpositive", "min",
                      "max", "length", "gt", "gte", "lt", "lte"})
_FORMATS = {"email": "email", "url": "uri", "uuid": "uuid", "datetime": "date-time", "date": "date"}
_SIGNS = {"positive": ("exclusiveMinimum", 0), "nonnegative": ("minimum", 0),
          "negative": ("exclusiveMaximum", 0), "nonpositive": ("maximum", 0)}


def _bound_keys(schema: dict[str, Any], kind: str, name: _Tok) -> tuple[str, ...]:
    base = schema.get("type")
    if base == "string" and kind in ("min", "max", "length"):
        return {"min": ("minLength",), "max": ("maxLength",), "length": ("minLength", "maxLength")}[kind]
    if base == "array" and kind in ("min", "max", "length"):
        return {"min": ("minItems",), "max": ("maxItems",), "length": ("minItems", "maxItems")}[kind]
    if base in ("number", "integer") and kind != "length":
        return ({"min": "minimum", "gte": "minimum", "max": "maximum", "lte": "maximum",
                 "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}[kind],)
    raise SchemaError(f"`.{kind}()` does not apply to {base or 'this schema'}", name.offset, ZOD_HINT)


def _need(schema: dict[str, Any], base: str, name: _Tok) -> None:
    kind = schema.get("type")
    if kind != base and not (base == "number" and kind == "integer"):
        raise SchemaError(f"`.{name.text}()` applies to {base}s", name.offset, ZOD_HINT)


def _arg(args: list[tuple[Any, int]], index: int, kind: Any, name: _Tok, what: str) -> Any:
    value = args[index][0] if index < len(args) else None
    if index >= len(args) or not isinstance(value, kind) or (isinstance(value, bool) and kind == (int, float)):
        raise SchemaError(f"`{name.text}` takes {what}", args[index][1] if index < len(args) else name.offset,
                          ZOD_HINT)
    return value


def _schema_arg(args: list[tuple[Any, int]], index: int, name: _Tok) -> _Zod:
    if index >= len(args) or not isinstance(args[index][0], _Zod):
        raise SchemaError(f"`{name.text}` takes a schema such as `z.string()`",
                          args[index][1] if index < len(args) else name.offset, ZOD_HINT)
    return args[index][0]


def _object(shape: dict[str, Any], name: _Tok) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for key, value in shape.items():
        if not isinstance(value, _Zod):
            raise SchemaError(f"the field `{key}` of `z.object` needs a schema such as `z.string()`",
                              name.offset, ZOD_HINT)
        properties[key] = value.schema
        if not value.optional:
            required.append(key)
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return schema


def _literal(value: Any) -> dict[str, Any]:
    if value is None:
        return {"type": "null"}
    if isinstance(value, bool):
        return {"type": "boolean", "const": value}
    if isinstance(value, (int, float)):
        return {"type": "number", "const": value}
    return {"type": "string", "const": value}


def json_schema_text(text: str) -> dict[str, Any]:
    """A JSON schema written as JSON text (a `SchemaError` with the position when it is not)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaError(f"the schema is not valid JSON: {exc.msg}", exc.pos) from None
    if not isinstance(data, dict):
        raise SchemaError("a schema must be a JSON object")
    return data


# ---------------------------------------------------------------------------- checking against the meta-schema

JSON_TYPES = ("array", "boolean", "integer", "null", "number", "object", "string")
# Type names from programming languages that JSON Schema spells otherwise.
_TYPE_ALIASES = {"str": "string", "text": "string", "int": "integer", "float": "number", "double": "number",
                 "bool": "boolean", "dict": "object", "map": "object", "list": "array", "none": "null"}
_NUMERIC = re.compile(r"\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*")
_KINDS = {"array": "an array", "boolean": "a boolean", "integer": "an integer", "null": "null",
          "number": "a number", "object": "an object", "string": "a string"}

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """Something wrong with a JSON schema: where (`path` into the schema), what, and what to do."""

    path: Path
    message: str
    hint: str | None = None

    @property
    def where(self) -> str:
        return json_path(self.path)


def json_path(path: Path) -> str:
    """`$.properties.name.type`, `$.type[0]`, `$["odd key"]`."""
    out = "$"
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        elif re.fullmatch(r"[A-Za-z_$][\w$]*", step):
            out += f".{step}"
        else:
            out += f"[{json.dumps(step, ensure_ascii=False)}]"
    return out


def schema_problems(schema: Any) -> list[SchemaProblem]:
    """What the JSON Schema meta-schema finds wrong with `schema` (the draft its `$schema` names,
    else 2020-12), one problem per place, deepest first where a keyword allows several forms."""
    import warnings

    from jsonschema.validators import Draft202012Validator, validator_for

    declared = schema.get("$schema") if isinstance(schema, dict) else None
    cls = Draft202012Validator
    if isinstance(declared, str):
        with warnings.catch_warnings():  # an unknown `$schema` is checked as 2020-12
            warnings.simplefilter("ignore")
            try:
                cls = validator_for(schema, default=Draft202012Validator)
            except ValueError:  # not even a URL (`http://]x`): checked as 2020-12 too
                cls = Draft202012Validator
    meta = _meta_validator(cls)
    found: dict[tuple[Path, str], SchemaProblem] = {}
    deepest = limits.current().max_depth
    if _depth(schema, deepest) > deepest:
        return [SchemaProblem((), f"$: the schema is nested more than {deepest} levels deep; it is not checked")]
    try:
        errors = list(meta.iter_errors(schema))
    except RecursionError:
        return [SchemaProblem((), "$: the schema is nested too deeply to check")]
    for error in errors:
        for problem in _problems(error):
            found.setdefault((problem.path, problem.message), problem)
    return sorted(found.values(), key=lambda p: [str(s) for s in p.path])


def _depth(value: Any, stop: int) -> int:
    """How deep objects and arrays nest in `value` (counted up to just past `stop`)."""
    deepest, level = 0, [(value, 1)]
    while level:
        node, depth = level.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            if deepest > stop:
                break
            level.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def _meta_validator(cls: Any) -> Any:
    cached = _META_VALIDATORS.get(cls)
    if cached is None:
        from jsonschema.validators import validator_for

        cached = _META_VALIDATORS[cls] = validator_for(cls.META_SCHEMA, default=cls)(cls.META_SCHEMA)
    return cached


_META_VALIDATORS: dict[Any, Any] = {}


def _problems(error: Any) -> list[SchemaProblem]:
    """The problems one meta-schema error stands for: where a keyword takes one of several forms
    (`anyOf`) and a form matched part of the value, what went wrong deeper in that form."""
    path: Path = tuple(error.absolute_path)
    instance = error.instance
    if isinstance(instance, str) and _is_type_position(path) and error.validator in ("anyOf", "enum"):
        return [_type_name(path, instance)]
    if error.validator in ("anyOf", "oneOf") and error.context:
        deeper = [e for e in error.context if len(e.absolute_path) > len(path)]
        if deeper:
            return [p for e in deeper for p in _problems(e)]
    if error.validator == "type":
        expected = error.validator_value
        wanted = [expected] if isinstance(expected, str) else list(expected)
        if sorted(wanted) == ["boolean", "object"]:
            what = "a schema (an object, or true or false)"
        else:
            what = " or ".join(_KINDS.get(w, w) for w in wanted)
        hint = None
        if wanted == ["array"] and not isinstance(instance, (dict, list)):
            hint = f"write [{json.dumps(instance, ensure_ascii=False)}]"
        elif {"number", "integer"} & set(wanted) and isinstance(instance, str) and _NUMERIC.fullmatch(instance):
            hint = f"write {instance.strip()} without quotes"
        return [SchemaProblem(path, f"{json_path(path)} must be {what}, not {_KINDS[_kind(instance)]}", hint)]
    return [SchemaProblem(path, f"{json_path(path)}: {error.message}")]


def _is_type_position(path: Path) -> bool:
    """`path` ends at a `type` keyword, or at an entry of a `type` list."""
    if path and path[-1] == "type":
        return len(path) < 2 or path[-2] not in ("properties", "patternProperties", "$defs", "definitions")
    return len(path) >= 2 and isinstance(path[-1], int) and path[-2] == "type"


def _type_name(path: Path, name: str) -> SchemaProblem:
    from pml.errors import suggest

    alias = _TYPE_ALIASES.get(name.lower())
    hint = f"did you mean `{alias}`?" if alias else suggest(name, JSON_TYPES)
    listing = "the types are " + ", ".join(JSON_TYPES)
    return SchemaProblem(path, f"{json_path(path)} is `{name}`, not a JSON Schema type",
                         f"{hint} ({listing})" if hint else listing)


_SCHEMA_TYPES = {"null": "null", "boolean": "boolean", "number": "number", "text": "string", "list": "array"}


def _kind(value: Any) -> str:
    """The JSON Schema type of a JSON value: `kind_of`'s kind in JSON Schema's words."""
    return _SCHEMA_TYPES.get(kind_of(value), "object")


_WS = re.compile(r"[ \t\n\r]*")


def _past_space(text: str, pos: int) -> int:
    """The offset of the first character at or after `pos` that is not JSON white space."""
    found = _WS.match(text, pos)
    return found.end() if found is not None else pos


def locate(text: str, path: Path) -> tuple[int, int] | None:
    """Where in JSON `text` the value at `path` is (start and end offsets), or None."""
    decoder = json.JSONDecoder()
    try:
        pos = _past_space(text, 0)
        for step in path:
            opening, closing = ("{", "}") if isinstance(step, str) else ("[", "]")
            if not text.startswith(opening, pos):
                return None
            pos = _past_space(text, pos + 1)
            found, index = None, 0
            while not text.startswith(closing, pos):
                if isinstance(step, str):
                    key, pos = decoder.raw_decode(text, pos)
                    pos = _past_space(text, pos)
                    pos = _past_space(text, pos + 1)  # past the colon
                    if key == step:
                        found = pos  # the last of repeated keys is the one JSON keeps
                elif index == step:
                    found = pos
                index += 1
                _, end = decoder.raw_decode(text, pos)
                pos = _past_space(text, end)
                if text.startswith(",", pos):
                    pos = _past_space(text, pos + 1)
            if found is None:
                return None
            pos = found
        _, end = decoder.raw_decode(text, pos)
    except (ValueError, IndexError, RecursionError):
        return None
    return pos, end

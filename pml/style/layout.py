"""Where tinycss2's nodes are: their offsets in the text, where each one ends, and what is left open.

tinycss2 gives every node the line and column where it starts, and nothing else. The readers need
offsets (to point warnings into the real document and to slice a value's written text), ends (a
node ends where the next node of its list starts; the last one where its list ends) and whether
a block was closed or left open at the end of the text.

The text is prepared as tinycss2 prepares it (NUL becomes U+FFFD; CR LF, CR and form feed
become LF), so the lines counted here are tinycss2's. Offsets are in that prepared text;
`source_offset` maps one back to the text as it was given, which differs only where a CR LF
became one character.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from typing import Any

import tinycss2

# A tinycss2 node (the library has no type information).
Node = Any

BLOCK_TYPES = frozenset({"{} block", "[] block", "() block", "function"})
_CLOSERS = {"{} block": "}", "[] block": "]", "() block": ")", "function": ")"}
_CLOSING = frozenset("})]")
_SKIPPED = frozenset({"whitespace", "comment"})


def prepare(text: str) -> str:
    """The text as tinycss2 reads it (its own first step, done here so offsets agree)."""
    return (text.replace("\0", "\ufffd").replace("\r\n", "\n").replace("\r", "\n")
            .replace("\f", "\n"))


def children(node: Node) -> list[Node] | None:
    """The nodes inside a block or function, or None for any other node."""
    if node.type == "function":
        found: list[Node] = node.arguments
        return found
    if node.type in BLOCK_TYPES:
        inside: list[Node] = node.content
        return inside
    return None


def significant(node: Node) -> bool:
    """Whether a node means something (it is neither whitespace nor a comment)."""
    return node.type not in _SKIPPED


class Layout:
    """The prepared text and the positions of the nodes tinycss2 read from it."""

    def __init__(self, text: str) -> None:
        self.text = prepare(text)
        self.length = len(self.text)
        starts = [0]
        find = self.text.find
        found = find("\n")
        while found >= 0:
            starts.append(found + 1)
            found = find("\n", found + 1)
        self._line_starts = starts
        self._collapsed = _collapsed_newlines(text)

    def tokens(self) -> list[Node]:
        """The text's component values (tokens, with blocks nested), comments and whitespace kept."""
        found: list[Node] = tinycss2.parse_component_value_list(self.text)
        return found

    def start(self, node: Node) -> int:
        """Where a node starts."""
        return int(self._line_starts[node.source_line - 1] + node.source_column - 1)

    def end(self, nodes: Sequence[Node], index: int, list_end: int) -> int:
        """Where `nodes[index]` ends, given where the list ends."""
        if index + 1 < len(nodes):
            return self.start(nodes[index + 1])
        return list_end

    def slice(self, start: int, end: int) -> str:
        return self.text[start:end]

    def source_offset(self, offset: int) -> int:
        """The offset in the text as given of an offset in the prepared text."""
        if not self._collapsed:
            return offset
        return offset + bisect_left(self._collapsed, offset)

    def content_end(self, block: Node, block_end: int) -> int:
        """Where the inside of a block that ends at `block_end` ends: before its closing bracket."""
        return block_end - 1 if self.closed(block, block_end) else block_end

    def closed(self, block: Node, block_end: int) -> bool:
        """Whether a block has its closing bracket (a block left open runs to the end of the text)."""
        return block_end < self.length or self._closed_at_end(block)

    def _closed_at_end(self, block: Node) -> bool:
        # The blocks that end with the text form a chain: the block, its last node if that is a
        # block, and so on. After the chain's last node only closing brackets can follow, one
        # for each block of the chain that was closed, innermost first.
        chain = [block]
        inside = children(block)
        while inside:
            last = inside[-1]
            if last.type not in BLOCK_TYPES:
                break
            chain.append(last)
            inside = children(last)
        deepest = inside[-1] if inside else chain[-1]
        start = self.start(deepest)
        rest = self.text[start:]
        alone = tinycss2.parse_component_value_list(rest)
        # Read alone, each closing bracket left over is a node of its own ("unmatched").
        closers = sum(1 for node in alone[1:] if node.type == "error" and node.kind in _CLOSING)
        if deepest is chain[-1] and not inside:  # an empty block: is it closed itself?
            own_end = len(rest) - closers
            if rest[own_end - 1 : own_end] == _CLOSERS[deepest.type]:
                closers += 1
        return closers >= len(chain)

    def last_leaf(self, nodes: Sequence[Node]) -> Node | None:
        """The node that comes last in the text: the last node, or the last inside it."""
        node = nodes[-1] if nodes else None
        while node is not None:
            inside = children(node)
            if not inside:
                return node
            node = inside[-1]
        return None


def _collapsed_newlines(text: str) -> list[int]:
    """Offsets in the prepared text of the LFs that were CR LF in the text as given."""
    if "\r\n" not in text:
        return []
    collapsed: list[int] = []
    found = text.find("\r\n")
    while found >= 0:
        collapsed.append(found - len(collapsed))
        found = text.find("\r\n", found + 2)
    return collapsed

"""The syntax stage: source text → syntax tree (sources and spans, the scanner, the parser, the nodes)."""

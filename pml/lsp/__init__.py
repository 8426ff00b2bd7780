"""The PML language server: `pml lsp` (or `python -m pml.lsp`) speaks the Language Server Protocol
on stdio. The modules here are small and each does one thing:

- `server` wires the features into a pygls `LanguageServer`;
- `analysis` compiles the editor's text the way `pml check` does;
- `diagnostics` publishes the compiler's errors and warnings, on the file each points into;
- `hover`, `completion`, `definition`, `symbols` answer those requests;
- `preview` renders a document into messages, token counts, cache plans and an HTML page;
- `cursor` finds what is at or before the cursor, `position` converts offsets to LSP positions
  (UTF-16), and `vocabulary` turns the component registry into Markdown.
"""

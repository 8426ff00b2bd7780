First line of free text.
  Second line, indented.

Third line after a blank line.
"""`python -m pml.lsp`: run the PML language server on stdio."""

from pml.lsp.server import main

main()

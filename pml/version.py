"""The version of PML (the package's, and what `<meta minVersion>` compares with)."""

VERSION = "0.1.0"

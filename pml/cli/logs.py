"""Log records of a long-running command (`pml lsp`) on stderr: one line each, tracebacks only with `--debug`.

Imported by the commands that log, so that the others do not load `logging`.
"""

from __future__ import annotations

import logging

from pml.cli.errors import INTERNAL_HINT, first_line


class OneLineFormatter(logging.Formatter):
    """Log records on one line each: an exception's type and message, not its traceback."""

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
            record.msg = f"{record.getMessage()}: {type(error).__name__}: {first_line(error)} ({INTERNAL_HINT})"
            record.args = None
        return super().format(record)


def log_errors(prefix: str, *, debug: bool) -> None:
    """Send log records to stderr as `prefix LEVEL: message`, tracebacks only with `debug`."""
    handler = logging.StreamHandler()
    pattern = f"{prefix} %(levelname)s: %(message)s"
    handler.setFormatter(logging.Formatter(pattern) if debug else OneLineFormatter(pattern))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])

"""Batch rendering: one prompt over many rows, into provider batch files.

    import pml.batch
    manifest = pml.batch.write_requests("support.pml", "questions.parquet", "out/",
                                        target="openai", model="gpt-4o-mini", id_column="id")

- `write_requests(prompt, data, out_dir, …)` renders every row of JSONL, CSV or Parquet inputs
  into `requests-NNNNN.jsonl` shards for OpenAI's Batch API or Anthropic's Message Batches, with
  a `manifest.json`; local processes or Ray do the rendering; runs resume (`pml.batch.run`).
- `iter_requests(prompt, rows, …)` yields the request objects for rows in this process.
- `PromptRequests` is a class for Ray Data's `Dataset.map_batches` (`pml.batch.udf`).

`docs/batch.md` is the guide. The package uses only the public SDK (`pml.load`, `Prompt.render`,
`Rendered.to_…`).
"""

from pml.batch.errors import BatchError
from pml.batch.requests import RowError, iter_requests
from pml.batch.run import Progress, write_requests
from pml.batch.store import Manifest, Shard
from pml.batch.targets import TARGETS
from pml.batch.udf import PromptRequests

__all__ = ["TARGETS", "BatchError", "Manifest", "Progress", "PromptRequests", "RowError", "Shard", "iter_requests",
           "write_requests"]

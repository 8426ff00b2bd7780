"""Fixtures of the `pml.kv` tests: the tiny random Llama (fast) and SmolLM2-135M (`-m model`)."""

from __future__ import annotations

import pytest
from kv_models import smollm2_path, tiny_model

from pml.kv.hf import LocalModel


@pytest.fixture(scope="session")
def tiny() -> LocalModel:
    return tiny_model()


@pytest.fixture(scope="session")
def smollm2() -> LocalModel:
    return LocalModel.load(smollm2_path())

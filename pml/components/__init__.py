"""The component catalog. Importing this package registers every component in the registry."""

from pml.components import data, media, messages, template, text

__all__ = ["data", "media", "messages", "template", "text"]

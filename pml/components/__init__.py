"""The component catalog. Importing this package registers every component in the registry."""

from pml.components import data, files, media, messages, modules, table, template, text, tools, web

__all__ = ["data", "files", "media", "messages", "modules", "table", "template", "text", "tools", "web"]

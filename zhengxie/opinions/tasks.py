"""Background work of the 社情民意 app. Its files are built by the core's one export task; importing
their modules here registers their builders (core.exports)."""

from __future__ import annotations

from .stats import export  # noqa: F401  (registers the statistics .xlsx)

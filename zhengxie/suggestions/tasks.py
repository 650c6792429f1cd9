"""Background work of the 微建议 app: importing the export module registers its .xlsx (core.exports)."""

from .stats import export  # noqa: F401

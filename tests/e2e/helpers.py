"""Small helpers the browser journeys share."""

import os
from pathlib import Path

SHOTS_ROOT = Path(os.environ.get("E2E_SHOTS") or Path(__file__).resolve().parents[2] / "test-results" / "e2e")


def shot(page, folder: str, name: str) -> None:
    """A full-page screenshot under test-results/e2e/<folder>/ (or $E2E_SHOTS/<folder>/)."""
    path = SHOTS_ROOT / folder
    path.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path / f"{name}.png"), full_page=True)


def watch(page, problems: list) -> None:
    """Collect console errors and 4xx/5xx answers into `problems`; a refused form answers 422 (the browser
    logs it), which is expected. Confirm dialogs are answered yes."""
    page.on(
        "console",
        lambda m: (
            problems.append(f"console: {m.text}")
            if m.type == "error" and "status of 422" not in m.text
            else None
        ),
    )
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 and r.status != 422 else None,
    )
    page.on("dialog", lambda d: d.accept())

"""No template shows its own notes to users: Django's `{# … #}` ends on the line it starts on, so a note that
runs over two lines is printed on the page as text (the 立案审查 form showed "{# The summary first: …" in
English above the proposal on every screen). A note of several lines is a `{% comment %}` block."""

from pathlib import Path

from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[2] / "zhengxie"


def test_no_template_prints_a_comment_as_text():
    leaks = []
    for path in sorted(ROOT.rglob("templates/**/*.html")):
        for token in Lexer(path.read_text(encoding="utf-8")).tokenize():
            if token.token_type == TokenType.TEXT and "{#" in token.contents:
                leaks.append(f"{path.relative_to(ROOT)}:{token.lineno}")
    assert not leaks, leaks

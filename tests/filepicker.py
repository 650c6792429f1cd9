"""The site's file picker in a rendered page (issue 15; zhengxie/templates/django/forms/widgets/file.html):
shared by the tests that look at the pages holding file inputs."""

import re

FILE_INPUT = re.compile(r"""<input\b[^>]*\btype\s*=\s*["']?file\b""", re.I)


def pickers(html: str) -> list[str]:
    """The file pickers in a page: each one's wrapper up to its box's end."""
    return re.findall(r'<div class="file-picker[^"]*" data-file-picker>.*?</span></div></div>', html, re.S)


def assert_picker(html: str, name: str, *, multiple=False, accept=None) -> str:
    """The page holds one picker for `name`: the real input (its id named by a label), the Chinese box."""
    found = [p for p in pickers(html) if f'name="{name}"' in p]
    assert len(found) == 1, (name, pickers(html))
    p = found[0]
    assert len(FILE_INPUT.findall(p)) == 1
    assert ">选择文件</span>" in p and ">未选择文件</span>" in p and 'data-many="已选 {n} 个文件"' in p
    ident = re.search(r'<input[^>]* id="([^"]+)"', p).group(1)
    assert f'id="{ident}_chosen"' in p and re.search(
        rf'aria-describedby="[^"]*\b{re.escape(ident)}_chosen"', p
    )
    assert (" multiple" in p) == multiple, p
    if accept:
        assert f'accept="{accept}"' in p
    return p

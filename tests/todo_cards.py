"""Checks that a user's workbench to-do cards each open a list of exactly what they count: the number on
the card equals the rows the list shows (its paginator's count, or the rows of the page section the card
points at with #anchor: <li> of a list, <tr> of a table body, any element marked data-row). A card
counting one item may open that item itself."""

from html.parser import HTMLParser

from zhengxie.core.navigation import todos_for


class _Section(HTMLParser):
    """Counts the rows (<li> of a list, <tr> of a table body, any element marked data-row) inside the
    element with this id."""

    def __init__(self, anchor):
        super().__init__()
        self.anchor, self.depth, self.rows, self.found, self.in_head = anchor, 0, 0, False, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            if tag in ("input", "br", "img", "hr", "meta", "link", "source", "col", "wbr"):
                return
            self.depth += 1
            if tag == "thead":
                self.in_head = True
            elif (tag in ("li", "tr") and not self.in_head) or "data-row" in attrs:
                self.rows += 1
        elif attrs.get("id") == self.anchor:
            self.found, self.depth = True, 1

    def handle_endtag(self, tag):
        if self.depth:
            if tag == "thead":
                self.in_head = False
            self.depth -= 1


def rows_behind(client, url: str) -> int | None:
    """How many rows the card's link shows; None when it opens one item's own page."""
    path, _, anchor = url.partition("#")
    response = client.get(path, follow=True)
    assert response.status_code == 200, url
    if anchor:
        section = _Section(anchor)
        section.feed(response.content.decode())
        assert section.found, f"{url}: no #{anchor} on the page"
        return section.rows
    page = response.context.get("page_obj")
    return None if page is None else page.paginator.count


def check_cards(client, user) -> list[dict]:
    cards = todos_for(user)
    for card in cards:
        n = rows_behind(client, card["url"])
        if n is None:
            assert card["count"] == 1, f"{user.username} {card['label']}: {card['url']} opens one item"
        else:
            assert n == card["count"], f"{user.username} {card['label']}: card {card['count']}, list {n}"
    return cards

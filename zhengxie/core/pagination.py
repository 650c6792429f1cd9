"""The API lists' rows for ninja's PageNumberPagination: a queryset counted in the database and sliced
before each row is serialised (only the page's rows are built)."""


class Rows:
    """A sliceable, countable view of `qs` whose items are `fn(obj)`."""

    def __init__(self, qs, fn):
        self.qs, self.fn = qs, fn

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return [self.fn(x) for x in self.qs[item]]

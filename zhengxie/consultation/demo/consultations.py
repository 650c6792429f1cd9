"""(being written)"""


def load(ctx) -> None:
    pass

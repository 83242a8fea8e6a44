"""Composition root and the `ted` command line."""


def main(argv=None) -> int:
    return 0

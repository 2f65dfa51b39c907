"""Demo records for this programme (filled in by the demo loader work)."""


def load(context) -> None:
    return None

"""A conformance check of the offline Akool against the real one: ``python -m akool_nb.conformance``.

With your key it makes free read calls (voice, avatar, model, language and knowledge lists, the credit
balance, the detail of a job given with ``--job``), and with ``--paid`` one cheapest job per product after a
confirmation showing the expected credit cost. It records the *shapes* of the answers (field names, JSON
types, nesting; no values, never the key), makes the same calls to an offline Akool started in-process, and
prints every difference. ``--save DIR`` keeps the shapes as JSON (``tests/conformance/``), and
``tests/test_conformance.py`` then holds the offline Akool to them.

Modules: ``calls`` (what is called), ``shapes`` (shape of an answer, differences), ``runner`` (making and
recording calls on either side), ``report`` (comparison, report text, saved files), ``__main__`` (the CLI).
"""
from .shapes import diff, shape_of

__all__ = ["diff", "shape_of"]

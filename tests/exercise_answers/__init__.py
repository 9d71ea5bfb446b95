"""Answers per exercise, one module per notebook: each value is the source of a learner cell.

``WRONG[id]``: a wrong but plausible answer; its check must print ✗.
``SHORTCUTS[id]``: a list of ``(concept, source)``: answers that would give the right values without the
exercise's concept (a value the notebook already computed, a sync call instead of the queue, ...); the
check must print a ✗ line that contains ``concept``, so the hint names what was skipped.
"""

"""``classify-serve`` (``python -m helpers.serving``): the shipped classifier over KServe v2 (notebook 06).

``server`` is the KServe model server, ``bridge`` its ``AsyncInferQueue`` awaited from asyncio
(notebook 06 shows its core), ``process`` starts it in a child process for notebook 06,
the tests and ``make bench``. The client side, ``helpers.remote``, stays with the course. Importing
this package imports nothing.
"""

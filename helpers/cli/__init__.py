"""The command-line sample ``classify-async`` (``python -m helpers.cli``); no notebook imports it.

``classify_async`` is the light entry point, ``app`` the sample's work, ``args`` its options,
``inputs`` the image stream, ``modes`` the queue, callback and batch runs, ``output`` the printers,
``advise`` the ``--advise`` report (built on notebook 07's ``helpers.advise*``). docs/cli.md is the
reference. Importing this package imports nothing.
"""

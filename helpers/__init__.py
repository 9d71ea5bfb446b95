"""Plumbing for the OpenVINO async image-classification course.

Each module has one job; see the README's course map for which notebook teaches what a
helper wraps. Importing the package has no side effects and imports no display code.
"""

__version__ = "0.1.0"

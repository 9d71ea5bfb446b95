"""Give a test's child process Ctrl-C's default disposition, whatever the suite inherited.

A suite started in the background (``make test &``, a non-interactive shell, some CI runners) inherits
SIGINT as ignored, and a child keeps that: Python then installs no KeyboardInterrupt handler, and a
test that sends SIGINT sees the child run on. The CLI is right to keep an inherited "ignore"; a test
that plays a user pressing Ctrl-C in a terminal sets up the terminal's disposition itself.
"""

from __future__ import annotations

import signal


def default_sigint() -> None:
    """Reset SIGINT to its default in a child, before exec (``subprocess.Popen(preexec_fn=...)``)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)

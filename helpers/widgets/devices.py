"""The device dropdown every notebook starts with: available devices plus AUTO."""

from __future__ import annotations

import os

import ipywidgets as widgets
import openvino as ov


def device_choices(core: ov.Core) -> list[str]:
    """Return ``core.available_devices`` plus AUTO, CPU first so the default works everywhere."""
    devices = list(core.available_devices)
    devices.sort(key=lambda d: (d != "CPU", d))
    return [*devices, "AUTO"]


def device_dropdown(core: ov.Core, default: str | None = None) -> widgets.Dropdown:
    """A dropdown of the available devices plus AUTO; the default is ``$COURSE_DEVICE``, else CPU."""
    options = device_choices(core)
    default = default or os.environ.get("COURSE_DEVICE", "").strip() or "CPU"
    value = default if default in options else options[0]
    return widgets.Dropdown(options=options, value=value, description="Device:")

"""ipywidgets: the device dropdown (more widgets arrive with notebook 05)."""

from __future__ import annotations

import ipywidgets as widgets
import openvino as ov


def device_choices(core: ov.Core) -> list[str]:
    """Return ``core.available_devices`` plus AUTO, CPU first so the default works everywhere."""
    devices = list(core.available_devices)
    devices.sort(key=lambda d: (d != "CPU", d))
    return [*devices, "AUTO"]


def device_dropdown(core: ov.Core, default: str = "CPU") -> widgets.Dropdown:
    """A dropdown of the available devices plus AUTO; the default is CPU when present."""
    options = device_choices(core)
    value = default if default in options else options[0]
    return widgets.Dropdown(options=options, value=value, description="Device:")

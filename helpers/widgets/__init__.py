"""ipywidgets for the course: the device dropdown (every notebook) and notebook 05's explorer.

Display code: nothing in the inference path imports this package. The explorer is split into
``gallery`` (cards), ``detail`` (large view, top-k bars), ``folder_runner`` (the background
``AsyncInferQueue``), ``store`` (results shared between threads) and ``scheduling`` (how a
callback hands widget work to the kernel's main thread).
"""

from helpers.widgets.detail import bars_html
from helpers.widgets.devices import device_choices, device_dropdown
from helpers.widgets.explorer import EXPLORER_CONFIG, PredictionExplorer
from helpers.widgets.scheduling import LoopScheduler
from helpers.widgets.store import Prediction
from helpers.widgets.uploads import decode_upload, upload_files

__all__ = [
    "EXPLORER_CONFIG",
    "LoopScheduler",
    "Prediction",
    "PredictionExplorer",
    "bars_html",
    "decode_upload",
    "device_choices",
    "device_dropdown",
    "upload_files",
]

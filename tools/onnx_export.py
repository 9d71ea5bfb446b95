"""The one ONNX export recipe the tools share: TorchScript exporter, static shape, checked file."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def export_static(
    model: Any, example: Any, out_path: Path, input_name: str = "image", output_name: str = "logits"
) -> Path:
    """Export ``model`` at the static shape of ``example`` (opset 17, ``dynamo=False``) and check it."""
    import onnx
    import torch

    out_path.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            model,
            (example,),
            str(out_path),
            input_names=[input_name],
            output_names=[output_name],
            opset_version=17,
            do_constant_folding=True,
            dynamo=False,
        )
    proto = onnx.load(str(out_path))
    onnx.checker.check_model(proto)
    proto.doc_string = ""  # producer details that vary between runs
    onnx.save(proto, str(out_path))
    return out_path

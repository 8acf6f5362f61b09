"""The classifier: one onnxruntime session, one batched call per frame."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import onnxruntime as ort

from livedigits.errors import LivedigitsError
from livedigits.mnist import SIZE

MODEL_NAME = "digits.onnx"
PROBABILITY_SLACK = 0.01
"""How far a model's outputs may stray from probabilities (rows summing to 1, none negative)
before it is refused: float32 softmax rows sum to 1 within ~1e-6."""


def default_model_path() -> Path:
    """The shipped model: installed as livedigits/models/, or the repo's models/ in a checkout."""
    installed = Path(__file__).resolve().parent / "models" / MODEL_NAME
    if installed.is_file():
        return installed
    return Path(__file__).resolve().parent.parent / "models" / MODEL_NAME


class Classifier:
    """Wraps the ONNX digit model. Input float32 [N,28,28,1]; output probabilities float32 [N,10]."""

    def __init__(self, model_path: str | os.PathLike | None = None, threads: int = 1):
        path = Path(model_path) if model_path is not None else default_model_path()
        if not path.exists():
            raise LivedigitsError(f"model not found: {path}")
        if not path.is_file():
            raise LivedigitsError(f"model path is not a file: {path}")
        if path.suffix.lower() == ".keras":
            raise LivedigitsError(
                f"the runtime reads ONNX models, not .keras: "
                f"livedigits export-model --keras {path} --out {path.with_suffix('.onnx')}"
            )
        if path.suffix.lower() == ".h5":
            raise LivedigitsError(f"the runtime reads ONNX models (.onnx), not .h5: {path}")
        options = ort.SessionOptions()
        # One thread by default: a frame's batch is small, and a second thread mostly adds
        # synchronisation; the camera reader and the video encoder use the other core.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own Fail/InvalidProtobuf/... types
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise LivedigitsError(f"cannot load model {path}: {first}") from exc
        inputs, outputs = self.session.get_inputs(), self.session.get_outputs()
        if len(inputs) != 1 or len(outputs) != 1:
            raise LivedigitsError(f"model {path} must have one input and one output")
        shape = inputs[0].shape
        if len(shape) != 4 or list(shape[1:]) != [SIZE, SIZE, 1]:
            raise LivedigitsError(f"model {path} must take input [N,{SIZE},{SIZE},1], got {shape}")
        out_shape = outputs[0].shape
        if len(out_shape) != 2 or out_shape[1] != 10:
            raise LivedigitsError(f"model {path} must output [N,10] probabilities, got {out_shape}")
        self.path = path
        self.input_name = inputs[0].name
        self.output_name = outputs[0].name
        self.metadata = dict(self.session.get_modelmeta().custom_metadata_map)
        # Probabilities, not raw scores: a model exported without its softmax reads every mark
        # as under the confidence bar, and the runtime would report nothing, silently.
        probe = np.zeros((2, SIZE, SIZE, 1), np.float32)
        probe[1, 4:24, 12:16] = 1.0  # a stroke: a 1
        try:
            out = self.predict(probe)
        except Exception as exc:  # onnxruntime's own error types
            raise LivedigitsError(f"model {path} fails on a test batch: {str(exc).splitlines()[0]}") from exc
        sums = out.sum(axis=1)
        if not (
            np.isfinite(out).all() and out.min() >= -PROBABILITY_SLACK and np.abs(sums - 1).max() <= PROBABILITY_SLACK
        ):
            raise LivedigitsError(
                f"model {path} must output probabilities (each row summing to 1, as after a softmax): "
                f"its rows sum to {', '.join(f'{v:.3g}' for v in sums)}"
            )

    def predict(self, batch: np.ndarray) -> np.ndarray:
        """Return probabilities float32 [N,10]; an empty batch returns [0,10] without running."""
        if batch.ndim != 4 or batch.shape[1:] != (SIZE, SIZE, 1):
            raise ValueError(f"batch must be [N,{SIZE},{SIZE},1], got shape {batch.shape}")
        if len(batch) == 0:
            return np.zeros((0, 10), np.float32)
        batch = np.ascontiguousarray(batch, dtype=np.float32)
        return self.session.run([self.output_name], {self.input_name: batch})[0]

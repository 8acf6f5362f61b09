"""Export a trained .keras model to ONNX and prove the two agree."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np
import onnx

from livedigits import __version__
from livedigits.classify import Classifier
from livedigits.errors import LivedigitsError
from livedigits.mnist import SIZE
from livedigits.train.backend import keras, tf
from livedigits.train.data import as_model_input, load_eval_split
from livedigits.train.evaluate import with_temperature

INPUT_NAME = "image"
OUTPUT_NAME = "probabilities"
OPSET = 17
TOLERANCE = 1e-4
CHECK_IMAGES = 512


def load_keras(path: str | os.PathLike) -> keras.Model:
    path = Path(path)
    if not path.is_file():
        raise LivedigitsError(f"Keras model not found: {path}")
    if path.suffix.lower() != ".keras":
        raise LivedigitsError(f"not a .keras model (as `livedigits train` saves them): {path}")
    try:
        return keras.models.load_model(path)
    except Exception as exc:  # Keras raises ValueError, OSError, zipfile errors... all "unusable file"
        first = str(exc).strip().split(". ")[0].splitlines()[0] if str(exc).strip() else type(exc).__name__
        if not zipfile.is_zipfile(path) or "not found" in first.lower():
            # Keras says "File not found" of a file it cannot open as its zip archive: damaged, cut short
            first = "damaged, or not a model Keras saved (a .keras file is a zip archive)"
        raise LivedigitsError(f"cannot load Keras model {path}: {first}") from exc


def to_onnx(model: keras.Model) -> onnx.ModelProto:
    """Convert with a dynamic batch, input ``image`` [N,28,28,1], output ``probabilities`` [N,10].

    ``tf2onnx.convert.from_keras`` fails on Keras 3 models, so the model is wrapped in a
    ``tf.function`` with an explicit input signature.
    """
    import tf2onnx  # after livedigits.train.backend: it imports TensorFlow, which must come in quietly

    spec = [tf.TensorSpec([None, SIZE, SIZE, 1], tf.float32, name=INPUT_NAME)]
    fn = tf.function(lambda image: model(image, training=False), input_signature=spec)
    proto, _ = tf2onnx.convert.from_function(fn, input_signature=spec, opset=OPSET)
    old = proto.graph.output[0].name
    for node in proto.graph.node:
        node.output[:] = [OUTPUT_NAME if name == old else name for name in node.output]
    proto.graph.output[0].name = OUTPUT_NAME
    return proto


def apply_temperature(proto: onnx.ModelProto, temperature: float) -> onnx.ModelProto:
    """Divide the logits by ``temperature`` in front of the final Softmax (calibration scaling:
    the ranking, hence accuracy, is unchanged; confidences soften for T > 1)."""
    softmax = [n for n in proto.graph.node if n.op_type == "Softmax" and OUTPUT_NAME in n.output]
    if len(softmax) != 1:
        raise LivedigitsError(f"cannot apply a temperature: no single Softmax produces {OUTPUT_NAME!r}")
    node = softmax[0]
    const = onnx.helper.make_tensor("temperature", onnx.TensorProto.FLOAT, [], [float(temperature)])
    proto.graph.initializer.append(const)
    scaled = node.input[0] + "_over_temperature"
    proto.graph.node.insert(
        list(proto.graph.node).index(node), onnx.helper.make_node("Div", [node.input[0], "temperature"], [scaled])
    )
    node.input[0] = scaled
    return proto


def export(keras_path, out_path, data_dir: str | None = None, temperature: float = 1.0) -> dict:
    """Write the ONNX model and return a summary (max difference, test accuracy, size).

    A ``temperature`` other than 1 (fitted on the validation split, see ``evaluate.fit_temperature``)
    is baked into the ONNX model; the Keras check then compares with Keras' output so scaled.
    """
    if not temperature > 0:
        raise LivedigitsError(f"temperature must be positive, got {temperature}")
    out_path = Path(out_path)
    if out_path.suffix != ".onnx":
        raise LivedigitsError(f"--out must end in .onnx, got {out_path}")
    if not out_path.parent.is_dir():
        raise LivedigitsError(f"output directory does not exist: {out_path.parent}")
    model = load_keras(keras_path)
    x_test, y_test = load_eval_split(data_dir, "test")  # the test files alone will do
    images = as_model_input(x_test)

    proto = to_onnx(model)
    if temperature != 1.0:
        proto = apply_temperature(proto, temperature)
    tmp = out_path.with_suffix(".onnx.tmp")
    onnx.save(proto, tmp)
    try:
        classifier = Classifier(tmp)
        onnx_probs = classifier.predict(images)
        keras_probs = with_temperature(model.predict(images[:CHECK_IMAGES], verbose=0), temperature)
        max_diff = float(np.abs(onnx_probs[:CHECK_IMAGES] - keras_probs).max())
        if max_diff > TOLERANCE:
            raise LivedigitsError(f"ONNX and Keras disagree: max abs difference {max_diff:.2e} > {TOLERANCE:.0e}")
        accuracy = float((onnx_probs.argmax(1) == y_test).mean())
        onnx.helper.set_model_props(
            proto,
            {
                "input": "image float32 [N,28,28,1], 0..1, ink bright on black, MNIST-normalised "
                "(20x20 box, centre of mass at centre; livedigits.mnist.normalize_digit)",
                "output": "probabilities float32 [N,10], softmax(logits / temperature)",
                "temperature": f"{temperature:g}",
                "classes": json.dumps([str(d) for d in range(10)]),
                "training_data": "MNIST-train less its last 10,000 (the validation split that chose the epoch), "
                "pen-model digits (train/pen.py) and non-digits with a flat target (train/junk.py), "
                "camera-crop augmentation (train/augment.py)",
                "test_accuracy": f"{accuracy:.4f}",
                "livedigits_version": __version__,
            },
        )
        onnx.save(proto, out_path)
    finally:
        tmp.unlink(missing_ok=True)
    return {
        "max_abs_diff": max_diff,
        "test_accuracy": accuracy,
        "test_images": len(y_test),
        "size_bytes": out_path.stat().st_size,
    }

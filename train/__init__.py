"""Training side of livedigits: MNIST loading, augmentation, the pen model, the CNN, fit,
evaluation and ONNX export.

Modules that need TensorFlow (``fit``, ``model``, ``export``) import it quietly through
``backend`` and are imported lazily by the CLI, so the runtime (``livedigits``) starts without
it. ``pen``, ``junk``, ``augment``, ``data`` and ``evaluate`` (on an ONNX model) need only numpy,
OpenCV and onnxruntime. Install the rest with ``pip install 'livedigits[train]'``.
"""

"""Training side of livedigits: MNIST loading, augmentation, the CNN, evaluation and ONNX export.

Everything that needs TensorFlow lives here and is imported lazily by the CLI, so the runtime
(``livedigits``) starts without it. Install with ``pip install 'livedigits[train]'``.
"""

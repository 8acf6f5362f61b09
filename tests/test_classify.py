"""The classifier boundary and the shipped model's accuracy on MNIST's 10k test set."""

import numpy as np
import pytest

from livedigits.classify import Classifier, default_model_path
from livedigits.errors import LivedigitsError
from livedigits.mnist import normalize_batch


def test_shipped_model_reaches_99_5_percent_on_mnist_test(mnist_test):
    images, labels = mnist_test
    batch = normalize_batch(images)
    predicted = Classifier(threads=2).predict(batch).argmax(1)
    accuracy = (predicted == labels).mean()
    assert accuracy >= 0.995, f"accuracy {accuracy:.4f}"


def test_shipped_model_is_small_and_described():
    path = default_model_path()
    assert path.stat().st_size <= 3_000_000
    meta = Classifier(path).metadata
    assert {"input", "output", "classes", "training_data", "test_accuracy"} <= set(meta)


def test_empty_batch_does_not_run_the_model():
    classifier = Classifier()

    class Exploding:
        def run(self, *a, **k):
            raise AssertionError("runtime called for an empty batch")

    classifier.session = Exploding()
    out = classifier.predict(np.zeros((0, 28, 28, 1), np.float32))
    assert out.shape == (0, 10)


def test_probabilities_sum_to_one():
    out = Classifier().predict(np.random.default_rng(0).random((5, 28, 28, 1), dtype=np.float32))
    assert out.shape == (5, 10) and np.allclose(out.sum(1), 1.0, atol=1e-4)


def test_wrong_batch_shape_names_it():
    with pytest.raises(ValueError, match=r"got shape \(3, 28, 28\)"):
        Classifier().predict(np.zeros((3, 28, 28), np.float32))


def test_missing_corrupt_and_wrong_models(tmp_path):
    with pytest.raises(LivedigitsError, match="model not found"):
        Classifier(tmp_path / "nope.onnx")
    with pytest.raises(LivedigitsError, match="not a file"):
        Classifier(tmp_path)
    corrupt = tmp_path / "corrupt.onnx"
    corrupt.write_bytes(b"this is not a protobuf" * 10)
    with pytest.raises(LivedigitsError, match="cannot load model"):
        Classifier(corrupt)
    truncated = tmp_path / "truncated.onnx"
    truncated.write_bytes(default_model_path().read_bytes()[:5000])
    with pytest.raises(LivedigitsError, match="cannot load model"):
        Classifier(truncated)


@pytest.mark.parametrize("suffix, hint", [(".keras", "livedigits export-model --keras"), (".h5", "not .h5")])
def test_a_training_checkpoint_given_to_the_runtime_says_what_to_do(tmp_path, suffix, hint):
    model = tmp_path / f"m{suffix}"
    model.write_bytes(b"not onnx")
    with pytest.raises(LivedigitsError) as caught:
        Classifier(model)
    assert hint in str(caught.value)
    if suffix == ".h5":
        assert "export-model" not in str(caught.value)  # which refuses .h5


def test_the_packages_modules_are_its_attributes():
    import livedigits

    assert livedigits.records.Digit is livedigits.Digit
    with pytest.raises(AttributeError):
        livedigits.no_such_module  # noqa: B018

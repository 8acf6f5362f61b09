"""The comparators: the webcam digit recipe people copy today, and our pipeline on OpenCV's DNN.

The common recipe (countless tutorials): global Otsu threshold, external contours, each box's
crop stretched to 28x28, one ``model.predict`` call per digit. Here it runs with Keras (as the
tutorials do) or with one onnxruntime call per digit, on the same frames as our pipeline.
"""

from __future__ import annotations

import cv2
import numpy as np

from livedigits.detect import to_gray
from livedigits.mnist import SIZE
from livedigits.recognizer import Digit, Recognizer


def demo_candidates(frame: np.ndarray, min_height: float = 0.015) -> list[tuple[tuple[int, int, int, int], np.ndarray]]:
    """Otsu + external contours + stretched 28x28 crops: [(box, crop float32 [28,28,1])]."""
    gray = cv2.GaussianBlur(to_gray(frame), (5, 5), 0)
    _, mask = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    out = []
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        if h < max(8, min_height * frame.shape[0]) or h > 0.75 * frame.shape[0] or w > 0.6 * frame.shape[1]:
            continue
        crop = cv2.resize(mask[y : y + h, x : x + w], (SIZE, SIZE)).astype(np.float32) / 255.0
        out.append(((x, y, w, h), crop[..., None]))
    return out


class DemoRecipe:
    """The tutorial pipeline with a per-digit predict function (Keras or onnxruntime)."""

    def __init__(self, predict_one, min_confidence: float = 0.8):
        self.predict_one = predict_one
        self.min_confidence = min_confidence

    def recognize(self, frame: np.ndarray) -> list[Digit]:
        digits = []
        for box, crop in demo_candidates(frame):
            probs = np.asarray(self.predict_one(crop[None]))[0]
            label = int(probs.argmax())
            if probs[label] >= self.min_confidence:
                digits.append(Digit(box, label, float(probs[label])))
        return digits


def keras_predict_one(keras_path):
    import keras

    model = keras.models.load_model(keras_path)
    return lambda batch: model.predict(batch, verbose=0)


def onnx_predict_one(onnx_path):
    from livedigits.classify import Classifier

    classifier = Classifier(onnx_path)
    return classifier.predict


class DnnClassifier:
    """OpenCV's DNN module running the ONNX model, with the Classifier's predict contract."""

    def __init__(self, onnx_path):
        self.net = cv2.dnn.readNetFromONNX(str(onnx_path))

    def predict(self, batch: np.ndarray) -> np.ndarray:
        if len(batch) == 0:
            return np.zeros((0, 10), np.float32)
        self.net.setInput(np.ascontiguousarray(batch, dtype=np.float32))
        return self.net.forward()


def dnn_recognizer(onnx_path, min_confidence: float = 0.8) -> Recognizer:
    """Our whole pipeline, with cv2.dnn in place of onnxruntime."""
    return Recognizer(min_confidence=min_confidence, classifier=DnnClassifier(onnx_path))

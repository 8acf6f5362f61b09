"""The comparators: the webcam digit recipes people copy today, and our pipeline on OpenCV's DNN.

The tutorial recipe (countless tutorials): global Otsu threshold, external contours, each box's
crop stretched to 28x28, one ``model.predict`` call per digit. Here it runs with Keras (as the
tutorials do) or with one onnxruntime call per digit, on the same frames as our pipeline.

The OpenCV-samples recipe (``samples/python/digits_video.py``, the strongest classical one): a
mean adaptive threshold (block 31, C 10) and a 3x3 median, contours with a two-level
``RETR_CCOMP`` hierarchy of which only the outer ones are kept, a height filter (16-64 px at its
640x480 camera, scaled here with the frame height) with width at most 1.2x the height, an ink
ratio of 0.1-0.4 in the box padded to a square; here each crop is fitted the MNIST way
(``livedigits.mnist.normalize_batch``, in place of the sample's moment warp and HOG/SVM) and a
frame's crops go through one batched ``Classifier.predict``, with the same confidence bar.
"""

from __future__ import annotations

import cv2
import numpy as np

from livedigits.classify import Classifier
from livedigits.mnist import SIZE, normalize_batch
from livedigits.recognizer import DEFAULT_MIN_CONFIDENCE, Digit, Recognizer


def to_gray(frame: np.ndarray) -> np.ndarray:
    """HxW uint8 gray from an HxWx3 BGR or HxW gray uint8 frame."""
    return frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


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

    def __init__(self, predict_one, min_confidence: float = DEFAULT_MIN_CONFIDENCE):
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


def dnn_recognizer(onnx_path, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> Recognizer:
    """Our whole pipeline, with cv2.dnn in place of onnxruntime."""
    return Recognizer(min_confidence=min_confidence, classifier=DnnClassifier(onnx_path))


SAMPLES_CAMERA_HEIGHT = 480
"""The frame height digits_video.py's pixel constants were written for (a 640x480 camera)."""


def samples_candidates(frame: np.ndarray) -> list[tuple[tuple[int, int, int, int], np.ndarray]]:
    """digits_video.py's detection: [(box x,y,w,h, ink crop uint8 [h, w] bright on dark)].

    Pixel constants (block size, height range) scale with the frame height from the sample's 480.
    """
    gray = to_gray(frame)
    k = gray.shape[0] / SAMPLES_CAMERA_HEIGHT
    block = max(3, int(round(31 * k)) | 1)
    binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 10)
    binary = cv2.medianBlur(binary, 3)
    contours, hierarchy = cv2.findContours(binary, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    out = []
    for contour, (_, _, _, parent) in zip(contours, hierarchy[0]):
        if parent >= 0:  # a hole: only outer contours are candidates
            continue
        x, y, w, h = cv2.boundingRect(contour)
        if not (16 * k <= h <= 64 * k and w <= 1.2 * h):
            continue
        pad = max(h - w, 0)
        px, pw = max(0, x - pad // 2), w + pad
        square = binary[y : y + h, px : px + pw]
        if not 0.1 < np.count_nonzero(square) / square.size < 0.4:
            continue
        out.append(((x, y, w, h), binary[y : y + h, x : x + w]))
    return out


class SamplesRecipe:
    """The OpenCV-samples recipe with the shipped model: one batched predict per frame."""

    def __init__(self, classifier: Classifier | None = None, min_confidence: float = DEFAULT_MIN_CONFIDENCE):
        self.classifier = classifier if classifier is not None else Classifier(threads=1)
        self.min_confidence = min_confidence

    def recognize(self, frame: np.ndarray) -> list[Digit]:
        """Digits in ``frame`` (HxWx3 BGR or HxW gray uint8), in contour order."""
        candidates = samples_candidates(frame)
        if not candidates:
            return []
        probs = self.classifier.predict(normalize_batch([crop for _, crop in candidates]))
        digits = []
        for (box, _), p in zip(candidates, probs):
            label = int(p.argmax())
            if p[label] >= self.min_confidence:
                digits.append(Digit(box, label, float(p[label])))
        return digits

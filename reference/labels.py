"""The one label vocabulary: how students write regularisers, truth values, activations
and losses, and the canonical name each spelling stands for.

Solvers (:mod:`reference.architecture`) and the choice checker (:mod:`grader.checkers.choice`)
both read labels through :func:`canonical` and :func:`normalise`, so a spelling the solver
accepts as a parameter is also accepted as a student's answer (``torch.nn.Softmax``,
``activation="softmax"``, ``keras.losses.categorical_crossentropy``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

#: Canonical regulariser name → spellings.
REGULARISERS: dict[str, tuple[str, ...]] = {
    "L1": (
        "l1",
        "ℓ1",
        "lasso",
        "l1 regularization",
        "l1 regularisation",
        "l1 norm",
        "منظم سازی l1",
    ),
    "L2": (
        "l2",
        "ℓ2",
        "ridge",
        "weight decay",
        "l2 regularization",
        "l2 regularisation",
        "l2 norm",
        "tikhonov",
        "منظم سازی l2",
    ),
    "none": (
        "none",
        "no regularization",
        "no regularisation",
        "no regulariser",
        "no regularizer",
        "without regularization",
        "unregularized",
        "بدون",
        "بدون منظم سازی",
        "هیچ",
        "هیچکدام",
    ),
}

#: true/false in English and Persian (a single letter is how many students tick a box).
TRUTH: dict[str, tuple[str, ...]] = {
    "true": ("true", "t", "yes", "y", "correct", "درست", "صحیح", "بله", "آری", "ص", "د"),
    "false": (
        "false",
        "f",
        "no",
        "n",
        "incorrect",
        "wrong",
        "غلط",
        "نادرست",
        "خیر",
        "نه",
        "غ",
        "ن",
    ),
}

#: Canonical activation label → the ways students write it.
ACTIVATIONS: dict[str, tuple[str, ...]] = {
    "linear": (
        "linear",
        "identity",
        "none",
        "no activation",
        "without activation",
        "id",
        "خطی",
        "همانی",
        "بدون تابع فعال‌سازی",
        "بدون فعال‌سازی",
        "هیچ",
    ),
    "sigmoid": (
        "sigmoid",
        "logistic",
        "nn.Sigmoid",
        "torch.sigmoid",
        "σ",
        "سیگموید",
        "سیگموئید",
        "لجستیک",
    ),
    "softmax": (
        "softmax",
        "soft-max",
        "nn.Softmax",
        "log_softmax",
        "LogSoftmax",
        "سافت‌مکس",
        "سافتمکس",
        "سافت مکس",
        "سافت‌ماکس",
        "سافتماکس",
    ),
    "relu": ("relu", "ReLU", "rectified linear", "رلو"),
    "tanh": ("tanh", "Tanh", "hyperbolic tangent", "تانژانت هذلولوی", "تانژانت هیپربولیک"),
}

#: Canonical loss label → the ways students write it.
LOSSES: dict[str, tuple[str, ...]] = {
    "categorical_crossentropy": (
        "categorical_crossentropy",
        "CategoricalCrossentropy",
        "categorical cross-entropy",
        "CrossEntropy",
        "CrossEntropyLoss",
        "nn.CrossEntropyLoss",
        "cross-entropy",
        "cross entropy",
        "cce",
        "sparse_categorical_crossentropy",
        "SparseCategoricalCrossentropy",
        "sparse categorical cross-entropy",
        "softmax cross-entropy",
        "NLLLoss",
        "negative log likelihood",
        "آنتروپی متقاطع",
        "کراس انتروپی",
        "کراس‌انتروپی",
        "آنتروپی متقاطع دسته‌ای",
        "کراس انتروپی دسته‌ای",
    ),
    "binary_crossentropy": (
        "binary_crossentropy",
        "BinaryCrossentropy",
        "binary cross-entropy",
        "BCELoss",
        "BCEWithLogitsLoss",
        "nn.BCELoss",
        "nn.BCEWithLogitsLoss",
        "bce",
        "log loss",
        "logistic loss",
        "آنتروپی متقاطع دودویی",
        "آنتروپی متقاطع باینری",
        "کراس انتروپی باینری",
        "کراس‌انتروپی باینری",
        "کراس انتروپی دودویی",
    ),
    "mse": (
        "mse",
        "MSELoss",
        "nn.MSELoss",
        "mean_squared_error",
        "MeanSquaredError",
        "mean squared error",
        "squared error",
        "L2 loss",
        "quadratic loss",
        "میانگین مربعات خطا",
        "خطای میانگین مربعات",
        "میانگین مربع خطا",
        "میانگین مجذور خطا",
    ),
    "mae": (
        "mae",
        "L1Loss",
        "nn.L1Loss",
        "mean_absolute_error",
        "MeanAbsoluteError",
        "mean absolute error",
        "L1 loss",
        "میانگین قدر مطلق خطا",
    ),
}

#: Every vocabulary by kind. Kinds are looked up separately because one word can mean
#: different things in two of them ("none" is no regularisation and the linear activation).
VOCABULARIES: dict[str, Mapping[str, tuple[str, ...]]] = {
    "regulariser": REGULARISERS,
    "truth": TRUTH,
    "activation": ACTIVATIONS,
    "loss": LOSSES,
}

# Prefixes students copy from code: nn.MSELoss(), keras.losses.mse, activation='softmax'.
_PREFIXES = (
    "torch.nn.functional.",
    "torch.nn.",
    "tf.keras.losses.",
    "tf.keras.activations.",
    "tf.nn.",
    "keras.losses.",
    "keras.activations.",
    "nn.functional.",
    "nn.",
    "f.",
    "torch.",
    "activation=",
    "loss=",
)
_ARABIC_TO_PERSIAN = str.maketrans({"ي": "ی", "ك": "ک", "ى": "ی", "ئ": "ی"})


def normalise(text: str) -> str:
    """Case-, space-, punctuation- and script-variant-free form of a label.

    ي→ی and ك→ک; ZWNJ and direction marks dropped (Persian writes هیچ‌کدام, هیچ کدام and
    هیچکدام alike); quotes, a trailing ``()`` and code prefixes (``torch.nn.``,
    ``tf.keras.activations.``, ``activation=``) removed.
    """
    text = unicodedata.normalize("NFKC", text).translate(_ARABIC_TO_PERSIAN).casefold().strip()
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = text.strip("'\"` ").removesuffix("()")
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            text = text.removeprefix(prefix)
            break
    text = text.strip("'\"` ").removesuffix("()")
    return "".join(ch for ch in text if ch.isalnum() or ch == "σ")


def _lookup(table: Mapping[str, tuple[str, ...] | list[str]]) -> dict[str, str]:
    return {normalise(s): canon for canon, spellings in table.items() for s in (canon, *spellings)}


_LOOKUPS: dict[str, dict[str, str]] = {kind: _lookup(t) for kind, t in VOCABULARIES.items()}


def as_text(value: Any) -> str | None:
    """A label's text: ``True``/``False`` as ``true``/``false``; None for a non-label."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else None


def canonical(kind: str, value: Any) -> str | None:
    """The canonical label (``"softmax"``, ``"mse"``, ``"L2"``, ``"true"``) for ``value``
    in vocabulary ``kind``; None when it names nothing there. Raises ValueError for an
    unknown ``kind``."""
    if kind not in _LOOKUPS:
        raise ValueError(f"kind must be one of {', '.join(VOCABULARIES)}, got {kind!r}")
    text = as_text(value)
    return None if text is None else _LOOKUPS[kind].get(normalise(text))


def canonical_in(table: Mapping[str, Any], value: Any) -> str | None:
    """``value``'s canonical name in an extra table (a rubric's own synonyms)."""
    text = as_text(value)
    return None if text is None else _lookup(table).get(normalise(text))


def same_label(got: Any, expected: Any, extra: Mapping[str, Any] | None = None) -> bool:
    """True when two labels are the same word, or spell one canonical label of the rubric's
    own table (``extra``, consulted first) or of one built-in vocabulary."""
    texts = as_text(got), as_text(expected)
    if None in texts:
        return False
    if normalise(texts[0]) == normalise(texts[1]):
        return True
    if extra:
        key = canonical_in(extra, expected)
        if key is not None and canonical_in(extra, got) == key:
            return True
    for kind in VOCABULARIES:
        key = canonical(kind, expected)
        if key is not None and canonical(kind, got) == key:
            return True
    return False

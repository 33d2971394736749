"""Architecture arithmetic: parameter counts, convolution output shapes, output-layer design.

All values are integers or canonical labels, so every key here is exact. The output-layer
question is graded as a triple (units, activation, loss); :func:`canonical_label` maps the
many ways students name an activation or a loss (Keras, PyTorch, English, Persian) to one
canonical label so a checker can compare labels rather than spellings.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any

import sympy

from reference.core import (
    Equivalent,
    ParamError,
    Solution,
    distinct_misconceptions,
    exact,
    solver,
)
from reference.labels import ACTIVATIONS, LOSSES, canonical
from reference.messages import formula, msg

# --------------------------------------------------------------------------- inputs


def _integer(x: Any, name: str, minimum: int) -> int:
    """``x`` as a whole number at least ``minimum``; raises :class:`ParamError`."""
    value = exact(x, name)
    if not value.is_Integer:
        raise ParamError(name, f"expected a whole number, got {value}")
    if value < minimum:
        raise ParamError(name, f"must be at least {minimum}, got {value}")
    return int(value)


def _flag(x: Any, name: str) -> bool:
    """A YAML truth value (``true``/``false``, also as text); raises :class:`ParamError`."""
    if isinstance(x, bool):
        return x
    if isinstance(x, str) and x.strip().lower() in ("true", "false", "yes", "no"):
        return x.strip().lower() in ("true", "yes")
    raise ParamError(name, f"expected true or false, got {x!r}")


def _pair(x: Any, name: str, minimum: int) -> tuple[int, int]:
    """An int or a two-entry list ``[height, width]``; raises :class:`ParamError`."""
    if isinstance(x, (list, tuple)):
        if len(x) != 2:
            raise ParamError(name, f"expected one number or [height, width], got {x!r}")
        return _integer(x[0], f"{name}[0]", minimum), _integer(x[1], f"{name}[1]", minimum)
    value = _integer(x, name, minimum)
    return value, value


def _ints(xs: list[int]) -> list[sympy.Integer]:
    return [sympy.Integer(x) for x in xs]


# --------------------------------------------------------------------------- MLP


def mlp_counts(layers: list[int], bias: bool) -> list[int]:
    """Parameters of each fully connected layer: n_in·n_out weights (+ n_out biases)."""
    return [a * b + (b if bias else 0) for a, b in itertools.pairwise(layers)]


@solver(
    "params.mlp",
    "Parameter count of a fully connected network: Σ (n_in·n_out + n_out) over its layers.",
    {
        "layers": "list of ints: units per layer, input first (e.g. [784, 128, 64, 10])",
        "bias": "true/false: whether each layer has a bias vector (default true)",
    },
    {"layers": [784, 128, 64, 10], "bias": True},
)
def params_mlp(layers: Any, bias: Any = True) -> Solution:
    """``per_layer`` counts, their ``total``, and ``weights``/``biases`` totals.

    Raises :class:`ParamError` unless ``layers`` lists at least two positive whole numbers.
    """
    if not isinstance(layers, (list, tuple)) or len(layers) < 2:
        raise ParamError("layers", "expected a list of at least two layer sizes, input first")
    sizes = [_integer(n, f"layers[{i}]", 1) for i, n in enumerate(layers)]
    has_bias = _flag(bias, "bias")
    per_layer = mlp_counts(sizes, has_bias)
    weights = sum(a * b for a, b in itertools.pairwise(sizes))
    biases = sum(sizes[1:]) if has_bias else 0
    key = {
        "per_layer": _ints(per_layer),
        "total": sympy.Integer(sum(per_layer)),
        "weights": sympy.Integer(weights),
        "biases": sympy.Integer(biases),
    }
    steps = [
        formula(
            "Layers {sizes}: {value} weight layers (the input layer has none).",
            sizes=sizes,
            value=len(sizes) - 1,
        )
    ]
    for i, (a, b) in enumerate(itertools.pairwise(sizes), start=1):
        if has_bias:
            steps.append(
                formula(
                    "Layer {i}: {a}·{b} weights + {b} biases = {value}",
                    i=i,
                    a=a,
                    b=b,
                    value=a * b + b,
                )
            )
        else:
            steps.append(
                formula(
                    "Layer {i}: {a}·{b} weights (no bias) = {value}",
                    i=i,
                    a=a,
                    b=b,
                    value=a * b,
                )
            )
    steps.append(
        formula(
            "Total = {value} = {value2}",
            value=" + ".join(map(str, per_layer)),
            value2=sum(per_layer),
        )
    )

    no_bias = mlp_counts(sizes, False)
    once = [n + 1 for n in no_bias]
    input_side = [a * b + a for a, b in itertools.pairwise(sizes)]
    with_input = [sizes[0], *per_layer]
    candidates = [
        (
            "bias_forgotten",
            msg("Counted only the weights; each layer also has one bias per output unit."),
            {
                "per_layer": _ints(no_bias),
                "total": sympy.Integer(sum(no_bias)),
                "biases": sympy.Integer(0),
            },
        ),
        (
            "bias_counted_once_per_layer",
            msg("Counted one bias per layer; there is one bias per unit (n_out per layer)."),
            {
                "per_layer": _ints(once),
                "total": sympy.Integer(sum(once)),
                "biases": sympy.Integer(len(once)),
            },
        ),
        (
            "bias_per_input_unit",
            msg("Counted a bias per input unit; biases belong to the layer's output units."),
            {
                "per_layer": _ints(input_side),
                "total": sympy.Integer(sum(input_side)),
                "biases": sympy.Integer(sum(sizes[:-1])),
            },
        ),
        (
            "input_layer_counted",
            msg("Gave the input layer parameters; it only holds the data, it has no weights."),
            {"per_layer": _ints(with_input), "total": sympy.Integer(sum(with_input))},
        ),
        (
            "last_layer_weights_only",
            msg("Counted only the last layer's weights; every layer's weights and biases count."),
            {"total": sympy.Integer(sizes[-2] * sizes[-1])},
        ),
    ]
    if not has_bias:
        with_bias = mlp_counts(sizes, True)
        candidates.append(
            (
                "bias_added_although_disabled",
                msg("Added biases although the layers are built without bias (bias=False)."),
                {"per_layer": _ints(with_bias), "total": sympy.Integer(sum(with_bias))},
            )
        )
    return Solution(
        solver="params.mlp",
        params={"layers": sizes, "bias": has_bias},
        values=key,
        steps=tuple(steps),
        misconceptions=distinct_misconceptions(key, candidates),
    )


# --------------------------------------------------------------------------- Conv2d


def conv_output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """⌊(size + 2·padding − kernel)/stride⌋ + 1, the output length along one axis."""
    return (size + 2 * padding - kernel) // stride + 1


def _same_size(size: int, stride: int) -> int:
    # Keras' 'same' keeps ⌈size/stride⌉ outputs; with stride 1 that is torch's 'same' too.
    return math.ceil(size / stride)


def _conv_shape(
    hw: tuple[int, int], kernel: tuple[int, int], stride: tuple[int, int], padding: Any
) -> tuple[int, int]:
    if padding == "same":
        return _same_size(hw[0], stride[0]), _same_size(hw[1], stride[1])
    return (
        conv_output_size(hw[0], kernel[0], stride[0], padding[0]),
        conv_output_size(hw[1], kernel[1], stride[1], padding[1]),
    )


@solver(
    "params.conv2d",
    "Output shape and parameter count of a Conv2d layer: filters·(C·kh·kw) + filters.",
    {
        "input": "list [C, H, W]: input channels, height, width",
        "filters": "int: number of filters (output channels)",
        "kernel": "int or [kh, kw]: kernel size",
        "stride": "int or [sh, sw]: stride (default 1)",
        "padding": "int, [ph, pw], 'valid' (= 0) or 'same' (output ⌈H/stride⌉) (default 0)",
        "bias": "true/false: whether each filter has a bias (default true)",
    },
    {"input": [3, 32, 32], "filters": 16, "kernel": 5, "stride": 2, "padding": 1, "bias": True},
)
def params_conv2d(
    input: Any, filters: Any, kernel: Any, stride: Any = 1, padding: Any = 0, bias: Any = True
) -> Solution:
    """``output_shape`` [C_out, H_out, W_out], ``params`` and ``weights`` of one Conv2d layer.

    Raises :class:`ParamError` for malformed sizes or a kernel larger than the padded input.
    """
    if not isinstance(input, (list, tuple)) or len(input) != 3:
        raise ParamError("input", f"expected [C, H, W], got {input!r}")
    c, h, w = (_integer(v, f"input[{i}]", 1) for i, v in enumerate(input))
    f = _integer(filters, "filters", 1)
    kh, kw = _pair(kernel, "kernel", 1)
    sh, sw = _pair(stride, "stride", 1)
    has_bias = _flag(bias, "bias")
    if isinstance(padding, str) and padding.strip().lower() in ("same", "valid"):
        pad: Any = "same" if padding.strip().lower() == "same" else (0, 0)
    else:
        pad = _pair(padding, "padding", 0)
    out_h, out_w = _conv_shape((h, w), (kh, kw), (sh, sw), pad)
    if out_h < 1 or out_w < 1:
        raise ParamError("kernel", f"a {kh}×{kw} kernel does not fit the {h}×{w} input")
    weights = f * c * kh * kw
    total = weights + (f if has_bias else 0)
    key = {
        "output_shape": _ints([f, out_h, out_w]),
        "params": sympy.Integer(total),
        "weights": sympy.Integer(weights),
    }
    steps = [
        formula(
            "Input {c}×{h}×{w}, {f} filters of {kh}×{kw}, stride {sh}×{sw}, padding {pad}.",
            c=c,
            h=h,
            w=w,
            f=f,
            kh=kh,
            kw=kw,
            sh=sh,
            sw=sw,
            pad=pad,
        )
    ]
    if pad == "same":
        steps.append(
            formula(
                "'same' padding: H_out = ⌈{h}/{sh}⌉ = {out_h}, W_out = ⌈{w}/{sw}⌉ = {out_w}",
                h=h,
                sh=sh,
                out_h=out_h,
                w=w,
                sw=sw,
                out_w=out_w,
            )
        )
    else:
        for axis, size, p, k, st, out in (
            ("H", h, pad[0], kh, sh, out_h),
            ("W", w, pad[1], kw, sw, out_w),
        ):
            steps.append(
                formula(
                    "{axis}_out = ⌊({size} + 2·{pad} − {k})/{s}⌋ + 1 = {out}",
                    axis=axis,
                    size=size,
                    pad=p,
                    k=k,
                    s=st,
                    out=out,
                )
            )
    steps.append(
        formula(
            "Output shape = [{f}, {out_h}, {out_w}] (channels = number of filters)",
            f=f,
            out_h=out_h,
            out_w=out_w,
        )
    )
    steps.append(
        formula(
            "Weights = filters·C·kh·kw = {f}·{c}·{kh}·{kw} = {weights}",
            f=f,
            c=c,
            kh=kh,
            kw=kw,
            weights=weights,
        )
    )
    if has_bias:
        steps.append(
            formula(
                "Parameters = {weights} + {f} biases = {total}",
                weights=weights,
                f=f,
                total=total,
            )
        )

    def shape_with(stride_: tuple[int, int], pad_: Any) -> list[sympy.Integer] | None:
        sizes = _conv_shape((h, w), (kh, kw), stride_, pad_)
        return _ints([f, *sizes]) if min(sizes) >= 1 else None

    no_channels = f * kh * kw
    candidates: list[tuple[str, str, dict[str, Any]]] = [
        (
            "input_channels_forgotten",
            msg("Counted k·k per filter; each filter spans all C input channels: C·k·k weights."),
            {
                "params": sympy.Integer(no_channels + (f if has_bias else 0)),
                "weights": sympy.Integer(no_channels),
            },
        ),
        (
            "bias_forgotten" if has_bias else "bias_added_although_disabled",
            msg("Left out the biases (one per filter).")
            if has_bias
            else msg("Added one bias per filter although the layer has bias=False."),
            {"params": sympy.Integer(weights if has_bias else weights + f)},
        ),
    ]
    if pad != "same":
        unpadded = shape_with((sh, sw), (0, 0))
        one_side = _ints([f, (h + pad[0] - kh) // sh + 1, (w + pad[1] - kw) // sw + 1])
        exact_division = [
            f,
            sympy.Rational(h + 2 * pad[0] - kh, sh) + 1,
            sympy.Rational(w + 2 * pad[1] - kw, sw) + 1,
        ]
        candidates += [
            (
                "padding_ignored",
                msg("Left out the padding: it adds 2·p to each spatial size."),
                {"output_shape": unpadded} if unpadded else {},
            ),
            (
                "padding_one_side",
                "Added the padding once; it is added on both sides (2·p).",
                {"output_shape": one_side} if min(one_side[1:]) >= 1 else {},
            ),
            (
                "floor_forgotten",
                msg("Kept a fraction: the window count is ⌊(H + 2p − k)/s⌋ + 1."),
                {"output_shape": [sympy.Integer(exact_division[0]), *exact_division[1:]]},
            ),
        ]
    unstrided = shape_with((1, 1), pad)
    candidates.append(
        (
            "stride_ignored",
            msg("Left out the stride: the window moves s pixels, divide by s."),
            {"output_shape": unstrided} if unstrided else {},
        )
    )
    params_doc = {
        "input": [c, h, w],
        "filters": f,
        "kernel": [kh, kw],
        "stride": [sh, sw],
        "padding": pad if pad == "same" else list(pad),
        "bias": has_bias,
    }
    return Solution(
        solver="params.conv2d",
        params=params_doc,
        values=key,
        steps=tuple(steps),
        misconceptions=distinct_misconceptions(key, candidates),
    )


# --------------------------------------------------------------------------- output layer

#: The label vocabularies live in :mod:`reference.labels`, shared with the checker.
ACTIVATION_SYNONYMS = ACTIVATIONS
LOSS_SYNONYMS = LOSSES


def canonical_label(kind: str, text: Any) -> str | None:
    """The canonical label (``"softmax"``, ``"mse"``, …) for a student's ``text``.

    ``kind`` is ``"activation"`` or ``"loss"`` (anything else raises ValueError); text that
    names no known label (or is not text) gives None; no activation at all (None) is linear.
    """
    if kind not in ("activation", "loss"):
        raise ValueError(f"kind must be 'activation' or 'loss', got {kind!r}")
    if text is None:
        return "linear" if kind == "activation" else None
    return canonical(kind, text) if isinstance(text, str) else None


_KINDS = ("regression", "binary", "multiclass", "multilabel")


def _task(
    kind: Any, outputs: Any, classes: Any, labels: Any, landmarks: Any, coordinates: Any
) -> tuple[str, int, int | None]:
    """(kind, units, landmark count or None) from the task parameters."""
    if not isinstance(kind, str) or kind.strip().lower() not in _KINDS:
        raise ParamError("kind", f"expected one of {', '.join(_KINDS)}, got {kind!r}")
    kind = kind.strip().lower()
    if kind == "regression":
        if landmarks is not None:
            n = _integer(landmarks, "landmarks", 1)
            units = n * _integer(coordinates, "coordinates", 1)
            if outputs is not None and _integer(outputs, "outputs", 1) != units:
                raise ParamError("outputs", f"is {outputs} but landmarks × coordinates = {units}")
            return kind, units, n
        if outputs is None:
            raise ParamError("outputs", "regression needs outputs (or landmarks)")
        return kind, _integer(outputs, "outputs", 1), None
    if kind == "binary":
        return kind, 1, None
    if kind == "multiclass":
        if classes is None:
            raise ParamError("classes", "multiclass needs the number of classes")
        return kind, _integer(classes, "classes", 2), None
    if labels is None:
        raise ParamError("labels", "multilabel needs the number of labels")
    return kind, _integer(labels, "labels", 1), None


_DESIGN = {
    "regression": ("linear", "mse", "real-valued outputs: no squashing, squared error"),
    "binary": ("sigmoid", "binary_crossentropy", "one probability P(y = 1)"),
    "multiclass": ("softmax", "categorical_crossentropy", "one distribution over the classes"),
    "multilabel": ("sigmoid", "binary_crossentropy", "an independent probability per label"),
}


@solver(
    "output_layer",
    "Output-layer design as (units, activation, loss) for a regression or classification task.",
    {
        "kind": "'regression', 'binary', 'multiclass' or 'multilabel'",
        "outputs": "int: regression outputs (e.g. 10 for 5 landmarks × 2 coordinates)",
        "classes": "int: number of classes (multiclass)",
        "labels": "int: number of independent labels (multilabel)",
        "landmarks": "int: regression on landmarks; units = landmarks × coordinates",
        "coordinates": "int: coordinates per landmark (default 2)",
        "task": "mapping with the keys above, instead of giving them one by one",
    },
    {"kind": "regression", "landmarks": 5, "coordinates": 2},
)
def output_layer(
    kind: Any = None,
    outputs: Any = None,
    classes: Any = None,
    labels: Any = None,
    landmarks: Any = None,
    coordinates: Any = 2,
    task: Any = None,
) -> Solution:
    """``units`` (Integer), ``activation`` and ``loss`` (canonical labels) for the task.

    Raises :class:`ParamError` for an unknown kind or a missing/invalid size.
    """
    given = {
        "kind": kind,
        "outputs": outputs,
        "classes": classes,
        "labels": labels,
        "landmarks": landmarks,
        "coordinates": coordinates,
    }
    if task is not None:
        if not isinstance(task, Mapping):
            raise ParamError("task", f"expected a mapping like {{kind: multiclass}}, got {task!r}")
        unknown = set(task) - set(given)
        if unknown:
            raise ParamError("task", f"unknown keys {sorted(unknown)}; use {', '.join(given)}")
        given.update(task)
    name, units, n_landmarks = _task(**given)
    activation, loss, why = _DESIGN[name]
    key = {"units": sympy.Integer(units), "activation": activation, "loss": loss}
    if n_landmarks is not None:
        size = formula(
            "{n_landmarks} landmarks × {value} coordinates = {units} units",
            n_landmarks=n_landmarks,
            value=units // n_landmarks,
            units=units,
        )
    else:
        size = {
            "regression": formula("{units} outputs → {units} units", units=units),
            "binary": "1 unit",
            "multiclass": formula("{units} classes → {units} units", units=units),
            "multilabel": formula("{units} labels → {units} units", units=units),
        }[name]
    steps = [
        formula("Task: {name} → {why}.", name=name, why=why),
        formula("Units: {size}", size=size),
        formula("Activation: {activation}", activation=activation),
        formula("Loss: {loss}", loss=loss),
    ]
    equivalents = _equivalents(name, units)
    steps.extend(e.explanation for e in equivalents)
    m = sympy.Integer
    candidates: list[tuple[str, str, dict[str, Any]]] = {
        "regression": [
            (
                "softmax_for_regression",
                (
                    msg(
                        "Softmax forces outputs into a distribution summing to 1; regression targets need a linear output."
                    )
                ),
                {"activation": "softmax"},
            ),
            (
                "sigmoid_for_regression",
                (
                    msg(
                        "Sigmoid squashes outputs into (0, 1); regression targets such as coordinates need a linear output."
                    )
                ),
                {"activation": "sigmoid"},
            ),
            (
                "cross_entropy_for_regression",
                msg(
                    "Cross-entropy compares distributions; real-valued targets use mean squared error."
                ),
                {"loss": "categorical_crossentropy"},
            ),
        ],
        "binary": [
            (
                "mse_for_classification",
                (
                    msg(
                        "Squared error on probabilities learns slowly and is not the likelihood; use binary cross-entropy."
                    )
                ),
                {"loss": "mse"},
            ),
            (
                "softmax_on_one_unit",
                msg("Softmax over a single unit always outputs 1; one unit needs a sigmoid."),
                {"activation": "softmax"},
            ),
            (
                "categorical_loss_for_binary",
                (
                    msg(
                        "Categorical cross-entropy over one sigmoid unit is not the binary likelihood; use binary cross-entropy."
                    )
                ),
                {"loss": "categorical_crossentropy"},
            ),
            (
                "linear_for_classification",
                msg("A linear output is not a probability; use a sigmoid."),
                {"activation": "linear"},
            ),
        ],
        "multiclass": [
            (
                "sigmoid_for_multiclass",
                (
                    msg(
                        "Independent sigmoids do not give one distribution over exclusive classes; use softmax."
                    )
                ),
                {"activation": "sigmoid", "loss": "binary_crossentropy"},
            ),
            (
                "one_unit_for_multiclass",
                msg("One unit cannot score k classes; use one unit per class."),
                {"units": m(1)},
            ),
            (
                "mse_for_classification",
                (
                    msg(
                        "Squared error on probabilities learns slowly and is not the likelihood; use categorical cross-entropy."
                    )
                ),
                {"loss": "mse"},
            ),
            (
                "binary_loss_for_multiclass",
                (
                    msg(
                        "Binary cross-entropy treats classes as independent labels; exclusive classes use categorical cross-entropy."
                    )
                ),
                {"loss": "binary_crossentropy"},
            ),
        ],
        "multilabel": [
            (
                "softmax_for_multilabel",
                (
                    msg(
                        "Softmax makes labels compete (they sum to 1); independent labels need a sigmoid each."
                    )
                ),
                {"activation": "softmax", "loss": "categorical_crossentropy"},
            ),
            (
                "mse_for_classification",
                (
                    msg(
                        "Squared error on probabilities learns slowly and is not the likelihood; use binary cross-entropy."
                    )
                ),
                {"loss": "mse"},
            ),
            (
                "one_unit_for_multilabel",
                (
                    msg(
                        "One unit cannot answer k independent yes/no questions; use one sigmoid unit per label."
                    )
                ),
                {"units": m(1)},
            ),
        ],
    }[name]
    if n_landmarks is not None:
        candidates.append(
            (
                "landmarks_not_doubled",
                (
                    formula(
                        "Gave one unit per landmark; each landmark has {value} coordinates, one unit each.",
                        value=units // n_landmarks,
                    )
                ),
                {"units": m(n_landmarks)},
            )
        )
    return Solution(
        solver="output_layer",
        params={k: v for k, v in given.items() if v is not None},
        values=key,
        steps=tuple(steps),
        misconceptions=distinct_misconceptions(key, candidates),
        equivalents=equivalents,
    )


def _equivalents(name: str, units: int) -> tuple[Equivalent, ...]:
    """The other right designs for a task, with the keys where each differs from the key."""
    if name == "binary":
        return (
            Equivalent(
                "two_softmax_units",
                msg(
                    "Two softmax units with categorical cross-entropy are equivalent to one "
                    "sigmoid unit with binary cross-entropy: the softmax of two logits is the "
                    "sigmoid of their difference."
                ),
                {
                    "units": sympy.Integer(2),
                    "activation": "softmax",
                    "loss": "categorical_crossentropy",
                },
            ),
        )
    if name == "multiclass":
        return (
            Equivalent(
                "logits_with_cross_entropy",
                msg(
                    "No activation on the {units} logits with PyTorch's CrossEntropyLoss is "
                    "equivalent: that loss applies the (log-)softmax itself.",
                    units=units,
                ),
                {"activation": "linear"},
            ),
        )
    return ()


__all__ = [
    "ACTIVATION_SYNONYMS",
    "LOSS_SYNONYMS",
    "canonical_label",
    "conv_output_size",
    "mlp_counts",
    "output_layer",
    "params_conv2d",
    "params_mlp",
]

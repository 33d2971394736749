"""Architecture arithmetic agrees with real torch modules; output-layer labels are canonical."""

from __future__ import annotations

import itertools

import pytest
import sympy
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from reference import ParamError, get_solver
from reference.architecture import (
    ACTIVATION_SYNONYMS,
    LOSS_SYNONYMS,
    canonical_label,
)


def torch_mlp(layers: list[int], bias: bool) -> nn.Sequential:
    modules: list[nn.Module] = []
    for a, b in itertools.pairwise(layers):
        modules += [nn.Linear(a, b, bias=bias), nn.ReLU()]
    return nn.Sequential(*modules[:-1])


def numel(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def misconception(solution, mid):
    return next(m for m in solution.misconceptions if m.id == mid)


# --------------------------------------------------------------------------- MLP


def test_mnist_mlp_has_109386_parameters_like_torch():
    solution = get_solver("params.mlp")(layers=[784, 128, 64, 10])
    assert solution.get("per_layer") == [100480, 8256, 650]
    assert solution.get("total") == 109386 == numel(torch_mlp([784, 128, 64, 10], True))
    assert solution.get("biases") == 202


@settings(max_examples=40, deadline=None)
@given(layers=st.lists(st.integers(1, 40), min_size=2, max_size=5), bias=st.booleans())
def test_random_mlps_count_what_torch_counts(layers, bias):
    solution = get_solver("params.mlp")(layers=layers, bias=bias)
    model = torch_mlp(layers, bias)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    assert solution.get("per_layer") == [numel(m) for m in linears]
    assert solution.get("total") == numel(model)
    for m in solution.misconceptions:
        assert any(solution.get(k) != v for k, v in m.values.items())


def test_mlp_misconceptions_name_the_classic_counting_errors():
    solution = get_solver("params.mlp")(layers=[4, 3, 2])
    # key: 4·3+3 + 3·2+2 = 15 + 8 = 23
    assert solution.get("total") == 23
    assert misconception(solution, "bias_forgotten").values["total"] == 18
    assert misconception(solution, "bias_counted_once_per_layer").values["total"] == 20
    assert misconception(solution, "input_layer_counted").values["total"] == 27
    assert misconception(solution, "bias_per_input_unit").values["total"] == 25
    assert misconception(solution, "last_layer_weights_only").values["total"] == 6


def test_mlp_without_bias_offers_added_bias_not_forgotten_bias():
    solution = get_solver("params.mlp")(layers=[4, 3, 2], bias=False)
    ids = {m.id for m in solution.misconceptions}
    assert solution.get("total") == 18
    assert "bias_forgotten" not in ids
    assert "bias_added_although_disabled" in ids
    assert len(ids) >= 3


@pytest.mark.parametrize(
    "params,param",
    [
        ({"layers": [784]}, "layers"),
        ({"layers": "784,10"}, "layers"),
        ({"layers": [784, 0]}, "layers[1]"),
        ({"layers": [784, "12.5"]}, "layers[1]"),
        ({"layers": [4, 2], "bias": "maybe"}, "bias"),
    ],
)
def test_bad_mlp_parameters_name_the_parameter(params, param):
    with pytest.raises(ParamError) as err:
        get_solver("params.mlp")(**params)
    assert err.value.param == param


# --------------------------------------------------------------------------- Conv2d


def torch_conv(c, filters, kernel, stride, padding, bias) -> nn.Conv2d:
    return nn.Conv2d(c, filters, kernel, stride=stride, padding=padding, bias=bias)


def forward_shape(conv: nn.Conv2d, c: int, h: int, w: int) -> list[int]:
    with torch.no_grad():
        return list(conv(torch.zeros(1, c, h, w)).shape[1:])


def test_example_conv_matches_torch_forward_pass():
    solution = get_solver("params.conv2d")(
        input=[3, 32, 32], filters=16, kernel=5, stride=2, padding=1
    )
    conv = torch_conv(3, 16, 5, 2, 1, True)
    assert solution.get("output_shape") == forward_shape(conv, 3, 32, 32) == [16, 15, 15]
    assert solution.get("params") == numel(conv) == 1216


@settings(max_examples=40, deadline=None)
@given(
    c=st.integers(1, 4),
    h=st.integers(1, 20),
    w=st.integers(1, 20),
    filters=st.integers(1, 5),
    kernel=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    bias=st.booleans(),
)
def test_random_convolutions_match_torch(c, h, w, filters, kernel, stride, padding, bias):
    params = {
        "input": [c, h, w],
        "filters": filters,
        "kernel": list(kernel),
        "stride": list(stride),
        "padding": list(padding),
        "bias": bias,
    }
    if h + 2 * padding[0] < kernel[0] or w + 2 * padding[1] < kernel[1]:
        with pytest.raises(ParamError):
            get_solver("params.conv2d")(**params)
        return
    solution = get_solver("params.conv2d")(**params)
    conv = torch_conv(c, filters, kernel, stride, padding, bias)
    assert solution.get("output_shape") == forward_shape(conv, c, h, w)
    assert solution.get("params") == numel(conv)
    for m in solution.misconceptions:
        assert any(solution.get(k) != v for k, v in m.values.items())


@pytest.mark.parametrize("kernel", [1, 3, 4, 5])
def test_same_padding_with_stride_one_keeps_the_size_as_torch_does(kernel):
    solution = get_solver("params.conv2d")(
        input=[2, 9, 7], filters=4, kernel=kernel, padding="same"
    )
    conv = torch_conv(2, 4, kernel, 1, "same", True)
    assert solution.get("output_shape") == forward_shape(conv, 2, 9, 7) == [4, 9, 7]


def test_same_padding_with_stride_two_keeps_ceil_of_size_over_stride_as_keras():
    solution = get_solver("params.conv2d")(
        input=[1, 9, 8], filters=2, kernel=3, stride=2, padding="same"
    )
    assert solution.get("output_shape") == [2, 5, 4]


def test_valid_padding_is_zero_padding():
    valid = get_solver("params.conv2d")(input=[1, 9, 9], filters=1, kernel=3, padding="valid")
    assert valid.get("output_shape") == [1, 7, 7]


def test_conv_misconceptions_change_the_values_they_name():
    solution = get_solver("params.conv2d")(
        input=[3, 28, 28], filters=8, kernel=3, stride=2, padding=2
    )
    # H_out = ⌊(28 + 4 − 3)/2⌋ + 1 = 15; params = 8·3·9 + 8 = 224
    assert solution.get("output_shape") == [8, 15, 15]
    assert solution.get("params") == 224
    assert misconception(solution, "input_channels_forgotten").values["params"] == 80
    assert misconception(solution, "bias_forgotten").values["params"] == 216
    assert misconception(solution, "padding_ignored").values["output_shape"] == [8, 13, 13]
    assert misconception(solution, "padding_one_side").values["output_shape"] == [8, 14, 14]
    assert misconception(solution, "stride_ignored").values["output_shape"] == [8, 30, 30]
    assert misconception(solution, "floor_forgotten").values["output_shape"] == [
        8,
        sympy.Rational(31, 2),
        sympy.Rational(31, 2),
    ]


def test_kernel_larger_than_input_is_a_param_error():
    with pytest.raises(ParamError) as err:
        get_solver("params.conv2d")(input=[1, 2, 2], filters=1, kernel=5)
    assert err.value.param == "kernel"


# --------------------------------------------------------------------------- output layer


def test_five_landmarks_need_ten_linear_units_with_mse():
    solution = get_solver("output_layer")(kind="regression", landmarks=5)
    assert dict(solution.values) == {"units": 10, "activation": "linear", "loss": "mse"}
    assert misconception(solution, "landmarks_not_doubled").values == {"units": 5}
    assert "softmax_for_regression" in {m.id for m in solution.misconceptions}


def test_regression_outputs_can_be_given_directly():
    solution = get_solver("output_layer")(kind="regression", outputs=10)
    assert solution.get("units") == 10
    assert "landmarks_not_doubled" not in {m.id for m in solution.misconceptions}


def test_four_price_classes_need_four_softmax_units_with_categorical_cross_entropy():
    solution = get_solver("output_layer")(task={"kind": "multiclass", "classes": 4})
    assert dict(solution.values) == {
        "units": 4,
        "activation": "softmax",
        "loss": "categorical_crossentropy",
    }
    ids = {m.id for m in solution.misconceptions}
    assert {"sigmoid_for_multiclass", "one_unit_for_multiclass", "mse_for_classification"} <= ids


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"kind": "binary"}, (1, "sigmoid", "binary_crossentropy")),
        ({"kind": "multilabel", "labels": 6}, (6, "sigmoid", "binary_crossentropy")),
    ],
)
def test_binary_and_multilabel_use_sigmoid_with_binary_cross_entropy(params, expected):
    solution = get_solver("output_layer")(**params)
    assert (solution.get("units"), solution.get("activation"), solution.get("loss")) == expected
    assert len(solution.misconceptions) >= 3


@pytest.mark.parametrize(
    "params,param",
    [
        ({"kind": "ranking"}, "kind"),
        ({"kind": "multiclass"}, "classes"),
        ({"kind": "multiclass", "classes": 1}, "classes"),
        ({"kind": "regression"}, "outputs"),
        ({"kind": "regression", "landmarks": 5, "outputs": 5}, "outputs"),
        ({"task": {"kind": "binary", "size": 3}}, "task"),
    ],
)
def test_bad_output_layer_tasks_name_the_parameter(params, param):
    with pytest.raises(ParamError) as err:
        get_solver("output_layer")(**params)
    assert err.value.param == param


@pytest.mark.parametrize(
    "text,label",
    [
        ("CrossEntropyLoss", "categorical_crossentropy"),
        ("nn.CrossEntropyLoss()", "categorical_crossentropy"),
        ("cce", "categorical_crossentropy"),
        ("sparse_categorical_crossentropy", "categorical_crossentropy"),
        ("Cross-Entropy", "categorical_crossentropy"),
        ("کراس‌انتروپی", "categorical_crossentropy"),
        ("BCEWithLogitsLoss", "binary_crossentropy"),
        ("binary cross-entropy", "binary_crossentropy"),
        ("MSELoss", "mse"),
        ("mean_squared_error", "mse"),
        ("keras.losses.MeanSquaredError", "mse"),
        ("میانگین مربعات خطا", "mse"),
    ],
)
def test_loss_synonyms_map_to_one_canonical_label(text, label):
    assert canonical_label("loss", text) == label


@pytest.mark.parametrize(
    "text,label",
    [
        ("identity", "linear"),
        ("None", "linear"),
        (None, "linear"),
        ("خطی", "linear"),
        ("activation='softmax'", "softmax"),
        ("سافت‌مکس", "softmax"),
        ("سافت مکس", "softmax"),
        ("\u200fسافتمکس\u200f", "softmax"),
        ("سیگموید", "sigmoid"),
        ("سيگمويد", "sigmoid"),  # Arabic yeh
        ("nn.Sigmoid()", "sigmoid"),
    ],
)
def test_activation_synonyms_map_to_one_canonical_label(text, label):
    assert canonical_label("activation", text) == label


def test_unknown_labels_are_none_and_unknown_kinds_are_errors():
    assert canonical_label("loss", "hinge") is None
    assert canonical_label("activation", 3) is None
    with pytest.raises(ValueError):
        canonical_label("optimizer", "adam")


@pytest.mark.parametrize(
    "kind,table", [("activation", ACTIVATION_SYNONYMS), ("loss", LOSS_SYNONYMS)]
)
def test_every_listed_spelling_maps_back_to_its_own_label(kind, table):
    for canon, spellings in table.items():
        for spelling in (canon, *spellings):
            assert canonical_label(kind, spelling) == canon, spelling

"""cnn_lib.scratch.pad against torch.nn.functional.pad, all four modes, and its errors."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_lib.scratch import pad

TORCH_MODE = {"zeros": "constant", "constant": "constant", "reflect": "reflect",
              "replicate": "replicate", "circular": "circular"}


@st.composite
def pad_cases(draw):
    mode = draw(st.sampled_from(sorted(TORCH_MODE)))
    ndim = draw(st.integers(2, 4))
    H, W = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    # the largest pad each mode allows, as in PyTorch
    limit = {"reflect": lambda s: s - 1, "circular": lambda s: s}.get(mode, lambda s: 4)
    form = draw(st.sampled_from(["int", "pair", "four"]))
    if form == "int":
        padding = draw(st.integers(0, min(limit(H), limit(W))))
    else:
        left, right = draw(st.integers(0, limit(W))), draw(st.integers(0, limit(W)))
        top, bottom = draw(st.integers(0, limit(H))), draw(st.integers(0, limit(H)))
        padding = (left, right) if form == "pair" else (left, right, top, bottom)
    lead = [draw(st.integers(1, 3)) for _ in range(ndim - 2)]
    return dict(shape=(*lead, H, W), padding=padding, mode=mode,
                value=draw(st.sampled_from([0.0, 1.5, -2.0])),
                dtype=draw(st.sampled_from([np.float32, np.float64])),
                seed=draw(st.integers(0, 2**16)))


def torch_pad(x, padding, mode, value):
    """torch.nn.functional.pad on (H, W), (C, H, W) or (N, C, H, W), with our padding forms."""
    if isinstance(padding, int):
        padding = (padding,) * 4
    if len(padding) == 2:
        padding = (*padding, 0, 0)
    t = torch.tensor(x)
    # PyTorch's reflect / replicate / circular want a batch or channel dimension in front
    while t.ndim < 4:
        t = t[None]
    kwargs = {"value": value} if TORCH_MODE[mode] == "constant" else {}
    out = F.pad(t, tuple(padding), mode=TORCH_MODE[mode], **kwargs)
    return out.reshape(out.shape[4 - x.ndim:]).numpy()


@settings(max_examples=60, deadline=None)
@given(pad_cases())
def test_pad_matches_torch(case):
    x = np.random.default_rng(case["seed"]).standard_normal(case["shape"]).astype(case["dtype"])
    value = case["value"] if TORCH_MODE[case["mode"]] == "constant" else 0.0
    out = pad(x, case["padding"], mode=case["mode"], value=value)
    expected = torch_pad(x, case["padding"], case["mode"], value)
    assert out.dtype == x.dtype
    np.testing.assert_array_equal(out, expected)


def test_pad_modes_on_one_row():
    row = np.array([[1.0, 2.0, 3.0, 4.0]])
    pads = (2, 2, 0, 0)
    np.testing.assert_array_equal(pad(row, pads), [[0, 0, 1, 2, 3, 4, 0, 0]])
    np.testing.assert_array_equal(pad(row, pads, "reflect"), [[3, 2, 1, 2, 3, 4, 3, 2]])
    np.testing.assert_array_equal(pad(row, pads, "replicate"), [[1, 1, 1, 2, 3, 4, 4, 4]])
    np.testing.assert_array_equal(pad(row, pads, "circular"), [[3, 4, 1, 2, 3, 4, 1, 2]])
    np.testing.assert_array_equal(pad(row, pads, "constant", value=9),
                                  [[9, 9, 1, 2, 3, 4, 9, 9]])


def test_int_padding_pads_all_four_sides():
    out = pad(np.ones((2, 3)), 1)
    assert out.shape == (4, 5)
    assert out.sum() == 6


@pytest.mark.parametrize("call, exception, words", [
    (lambda: pad(np.zeros((3, 3)), 3, "reflect"), ValueError,
     ["reflect", "padding 3", "3", "pad <= 2"]),
    (lambda: pad(np.zeros((2, 5)), (1, 1, 2, 0), "reflect"), ValueError,
     ["reflect", "top padding 2", "height 2"]),
    (lambda: pad(np.zeros((3, 3)), 4, "circular"), ValueError, ["circular", "padding 4"]),
    (lambda: pad(np.zeros((3, 3)), 1, "mirror"), ValueError,
     ["mode", "'mirror'", "'zeros'", "'reflect'", "'replicate'", "'circular'"]),
    (lambda: pad(np.zeros((3, 3)), -1), ValueError, ["padding", "-1"]),
    (lambda: pad(np.zeros((3, 3)), (1, 2, 3)), ValueError, ["padding", "length 3"]),
    (lambda: pad(np.zeros((3, 3)), 1.5), TypeError, ["padding", "1.5"]),
    (lambda: pad(np.zeros(3), 1), ValueError, ["input", "1 dimension", "(3,)"]),
    (lambda: pad(np.zeros((1, 1, 1, 3, 3)), 1), ValueError, ["input", "5 dimension"]),
    (lambda: pad(np.zeros((3, 3), dtype=bool), 1), TypeError, ["input", "bool"]),
    (lambda: pad(np.zeros((3, 3)), 1, mode=None), ValueError, ["mode", "None"]),
    (lambda: pad(np.zeros((3, 3)), 1, "reflect", value=2.0), ValueError,
     ["value=2.0", "mode='reflect'"]),
])
def test_pad_bad_input_gives_a_clear_error(call, exception, words):
    with pytest.raises(exception) as info:
        call()
    message = str(info.value)
    assert message.startswith("pad: ")
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


def test_nan_is_padded_not_refused():
    out = pad(np.full((2, 2), np.nan), 1, "replicate")
    assert np.isnan(out).all()

"""Every worked figure of chapter 3 (CURRICULUM.md §3), computed with cnn_lib and asserted here,
independently of the notebook's stored outputs (which nbval checks).

Deck tags as in CURRICULUM.md: [000] CU Boulder, [001] Johns Hopkins, [003] Arizona State,
[004] UC Berkeley.
"""

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.signal import convolve2d

from cnn_lib import arithmetic, data, scratch
from cnn_lib.widgets import conv_geometry, receptive_field_update


def test_the_input_shrinks_000_001():
    sizes = [32]
    while sizes[-1] >= 5:
        sizes.append(arithmetic.conv_output_size(sizes[-1], 5))
    assert sizes == [32, 28, 24, 20, 16, 12, 8, 4]


def test_the_border_is_read_less_000():
    valid = conv_geometry(8, 3).coverage
    assert valid[0, 0] == 1 and valid[4, 4] == 9 and valid[0, 4] == 3
    padded = conv_geometry(8, 3, padding=1).coverage[1:-1, 1:-1]
    assert padded[0, 0] == 4 and padded[0, 4] == 6 and padded[4, 4] == 9


def test_valid_same_full_003_and_same_padding_001():
    assert [arithmetic.conv_output_size(10, 3, padding=p) for p in ("valid", "same", "full")] == [
        8, 10, 12]
    assert [arithmetic.same_padding(k) for k in (3, 5, 7)] == [1, 2, 3]
    assert arithmetic.conv_output_size(7, 3, padding=1) == 7  # a 7x7 input stays 7x7
    rng = np.random.default_rng(0)
    image, kernel = rng.normal(size=(7, 7)), rng.normal(size=(3, 3))
    full = scratch.conv2d(image[None, None], np.flip(kernel)[None, None], padding=2)[0, 0]
    np.testing.assert_allclose(full, convolve2d(image, kernel, mode="full"))


def test_even_kernel_same_padding_is_one_before_two_after():
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=(1, 1, 6, 6)), rng.normal(size=(1, 1, 4, 4))
    np.testing.assert_allclose(scratch.conv2d(x, w, padding="same"),
                               scratch.conv2d(scratch.pad(x, (1, 2, 1, 2)), w))
    with pytest.raises(ValueError, match="1 before and 2 after"):
        arithmetic.same_padding(4)


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
@pytest.mark.parametrize("k", [2, 4])
def test_pytorch_same_padding_puts_the_extra_cell_bottom_right(k):
    """Against F.conv2d itself, not scratch: 'same' with an even kernel equals F.pad with
    (k - 1) // 2 cells before (left, top) and k // 2 after (right, bottom), not the reverse."""
    rng = np.random.default_rng(3)
    x, w = torch.tensor(rng.normal(size=(1, 1, 6, 6))), torch.tensor(rng.normal(size=(1, 1, k, k)))
    same = F.conv2d(x, w, padding="same")
    assert same.shape == x.shape
    before, after = (k - 1) // 2, k // 2
    bottom_right = F.conv2d(F.pad(x, (before, after, before, after)), w)  # left, right, top, bottom
    top_left = F.conv2d(F.pad(x, (after, before, after, before)), w)
    assert torch.allclose(same, bottom_right)
    assert not torch.allclose(same, top_left)
    # mixed splits (extra cell bottom-left or top-right) are not it either
    assert not torch.allclose(same, F.conv2d(F.pad(x, (after, before, before, after)), w))
    assert not torch.allclose(same, F.conv2d(F.pad(x, (before, after, after, before)), w))


def test_padding_modes_on_a_row_and_a_photo_003():
    row = np.array([[1, 2, 3, 4]])
    rows = {m: scratch.pad(row, (2, 2, 0, 0), mode=m)[0].tolist()
            for m in ("zeros", "reflect", "replicate", "circular")}
    assert rows == {"zeros": [0, 0, 1, 2, 3, 4, 0, 0], "reflect": [3, 2, 1, 2, 3, 4, 3, 2],
                    "replicate": [1, 1, 1, 2, 3, 4, 4, 4], "circular": [3, 4, 1, 2, 3, 4, 1, 2]}
    photo = data.load_photo(size=(96, 80))
    t = torch.tensor(photo)[None, None]
    for mode in rows:
        torch_mode = "constant" if mode == "zeros" else mode
        np.testing.assert_array_equal(scratch.pad(photo, 24, mode=mode),
                                      F.pad(t, (24,) * 4, mode=torch_mode)[0, 0].numpy())


def test_zero_padding_invents_edges_at_the_border():
    photo = data.load_photo(size=(96, 80))
    laplacian = np.array([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]])
    ring = np.ones(photo.shape, dtype=bool)
    ring[1:-1, 1:-1] = False
    border = {}
    for mode in ("zeros", "reflect", "replicate", "circular"):
        edges = scratch.corr2d(scratch.pad(photo, 1, mode=mode), laplacian)
        layer = torch.nn.Conv2d(1, 1, 3, padding=1, padding_mode=mode, bias=False).double()
        layer.weight.data[:] = torch.tensor(laplacian)
        np.testing.assert_allclose(edges, layer(torch.tensor(photo)[None, None])[0, 0].detach())
        border[mode] = np.abs(edges[ring]).mean()
        inside = np.abs(edges[~ring]).mean()
    assert border["zeros"] > 2 * inside and border["circular"] > 2 * inside
    # the caption: reflect and replicate leave the border no busier than the inside
    assert border["reflect"] < inside and border["replicate"] < inside
    assert [round(border[m], 3) for m in ("zeros", "reflect", "replicate", "circular")] == [
        0.337, 0.122, 0.088, 0.403]
    assert round(inside, 3) == 0.144


def test_7x7_input_strides_1_2_3_001():
    assert [arithmetic.conv_output_size(7, 3, stride=s) for s in (1, 2, 3)] == [5, 3, 2]
    with pytest.raises(ValueError, match=r"\(7 - 3 \+ 2\*0\) / 3 \+ 1 = 2.33 is not a whole"):
        arithmetic.conv_output_size(7, 3, stride=3, strict=True)
    out = F.conv2d(torch.zeros(1, 1, 7, 7), torch.zeros(1, 1, 3, 3), stride=3)
    assert tuple(out.shape[2:]) == (2, 2)  # PyTorch floors
    g = conv_geometry(7, 3, stride=3)
    assert g.unread[6].all() and g.unread[:, 6].all()


def test_berkeley_erratum_004():
    J, M, P, S = 7, 3, 0, 2
    slide = (J + 2 * P - M) // S - 1
    pytorch = F.conv2d(torch.zeros(1, 1, J, J), torch.zeros(1, 1, M, M), stride=S).shape[-1]
    assert (slide, pytorch) == (1, 3) and pytorch == (J + 2 * P - M) // S + 1


def test_stride_is_a_downsampled_convolution_003():
    rng = np.random.default_rng(2)
    x, w = rng.normal(size=(1, 1, 9, 9)), rng.normal(size=(1, 1, 3, 3))
    strided = scratch.conv2d(x, w, stride=2, padding=1)
    np.testing.assert_allclose(strided, scratch.conv2d(x, w, padding=1)[:, :, ::2, ::2])
    assert [arithmetic.conv_output_size(224, 3, stride=s, padding=1) for s in (1, 2, 3)] == [
        224, 112, 75]


def test_the_32x32x3_layer_and_the_summary_001():
    layer = torch.nn.Conv2d(3, 10, 5, stride=1, padding=2)
    out = layer(torch.zeros(1, 3, 32, 32))
    assert tuple(out.shape[1:]) == (10, *arithmetic.conv_output_size((32, 32), 5, padding=2))
    assert tuple(out.shape[1:]) == (10, 32, 32)
    assert arithmetic.conv_params(3, 10, 5) == 10 * (5 * 5 * 3 + 1) == 760
    assert sum(p.numel() for p in layer.parameters()) == 760
    common = [arithmetic.conv_output_size(32, k, stride=s, padding=p)
              for k, s, p in [(3, 1, 1), (5, 1, 2), (5, 2, 2), (1, 1, 0)]]
    assert common == [32, 32, 16, 32]


def test_a_dilated_kernel_is_a_larger_kernel_with_zeros():
    rng = np.random.default_rng(3)
    w3, x = rng.normal(size=(1, 1, 3, 3)), rng.normal(size=(1, 1, 7, 7))
    w5 = np.zeros((1, 1, 5, 5))
    w5[:, :, ::2, ::2] = w3
    np.testing.assert_allclose(scratch.conv2d(x, w3, dilation=2), scratch.conv2d(x, w5))
    assert arithmetic.conv_output_size(7, 3, dilation=2) == 3
    one = receptive_field_update([(3, 1, 2, 2)], 9, 4, 4).paths[0]
    assert one.sum() == 9 and one[2:7:2, 2:7:2].all()
    two = receptive_field_update([(3, 1, 1, 1), (3, 1, 2, 2)], 9, 4, 4).paths[0]
    assert (two[1:8, 1:8] > 0).all() and two.sum() == 81
    assert [arithmetic.receptive_field([(3, 1, d) for d in ds]).size
            for ds in ([1], [1, 2], [1, 2, 4], [1, 2, 4, 8])] == [3, 7, 15, 31]
    # Yu and Koltun's rule: L layers with dilations 1, 2, ..., 2^(L-1) see 2^(L+1) - 1 pixels
    for L in range(1, 8):
        stack = [(3, 1, 2**i) for i in range(L)]
        assert arithmetic.receptive_field(stack).size == 2 ** (L + 1) - 1


def test_receptive_fields_of_stacks():
    assert arithmetic.receptive_field([(3, 1)] * 3) == (7, 1)
    assert arithmetic.receptive_field([(3, 1), (2, 2), (3, 1)]) == (8, 2)
    assert arithmetic.receptive_field([(7, 2), (3, 2)]) == (11, 4)
    assert arithmetic.receptive_field([(5, 1), (2, 2), (5, 1), (2, 2)]) == (16, 4)
    assert arithmetic.receptive_field([(3, 2), (3, 1)]).size == 7  # the stride-2 example
    x = torch.zeros(1, 1, 32, 32, requires_grad=True)
    y = F.avg_pool2d(F.conv2d(x, torch.ones(1, 1, 7, 7), stride=2, padding=3), 3, 2, 1)
    y[0, 0, 4, 4].backward()
    rows = torch.nonzero(x.grad[0, 0].abs().sum(dim=1)).flatten()
    assert int(rows.max() - rows.min() + 1) == 11


def test_stacks_of_3x3_layers_need_fewer_weights_than_one_7x7():
    C = 64
    assert 3 * arithmetic.conv_params(C, C, 3, bias=False) == 27 * C * C == 110_592
    assert arithmetic.conv_params(C, C, 7, bias=False) == 49 * C * C == 200_704


def test_effective_receptive_field_path_counts():
    state = receptive_field_update([(3, 1, 1, 1)] * 3, 11, 5, 5)
    assert state.paths[0][5, 2:9].astype(int).tolist() == [7, 21, 42, 49, 42, 21, 7]
    # the corners of the 7x7 field (rows and columns 2 and 8) each have a single path
    assert state.paths[0][[2, 2, 8, 8], [2, 8, 2, 8]].tolist() == [1, 1, 1, 1]
    assert state.paths[0][5, 5] == 49 == 7 * 7  # [1, 3, 6, 7, 6, 3, 1] times itself


# ------------------------------------------------------- Keras' 'valid' / 'same' beside PyTorch
def _keras_same(size, k, stride=1, dilation=1):
    """TensorFlow's 'SAME' rule (tf.nn notes on padding), written out independently of the
    notebook: ceil(size / stride) outputs; the total padding, the odd cell after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + dilation * (k - 1) + 1 - size, 0)
    return out, total // 2, total - total // 2


def test_keras_same_gives_ceil_of_size_over_stride_and_pytorch_agrees_after_f_pad():
    for n in range(1, 41):
        for k in range(1, 8):
            for s in range(1, 5):
                for d in range(1, 4):
                    out, before, after = _keras_same(n, k, s, d)
                    assert out == math.ceil(n / s)
                    assert after - before in (0, 1)             # the odd cell after
                    assert arithmetic.conv_output_size(n + before + after, k, s,
                                                       dilation=d) == out
    # the chapter's printed rows (H, F, S) -> (before, after, outputs)
    rows = {(7, 3, 1): (1, 1, 7), (6, 4, 1): (1, 2, 6), (7, 3, 2): (1, 1, 4),
            (8, 3, 2): (0, 1, 4), (224, 7, 2): (2, 3, 112)}
    for (n, k, s), (before, after, out) in rows.items():
        assert _keras_same(n, k, s) == (out, before, after)
        y = F.conv2d(F.pad(torch.zeros(1, 1, n, n), (before, after) * 2),
                     torch.zeros(1, 1, k, k), stride=s)
        assert y.shape[-1] == y.shape[-2] == out
    # at stride 1 and odd F it is PyTorch's symmetric (F - 1) / 2; at even F, PyTorch's
    # padding='same' puts the odd cell after, as Keras does
    for k in (1, 3, 5, 7):
        assert _keras_same(10, k) == (10, (k - 1) // 2, (k - 1) // 2)
    x, w = torch.randn(1, 1, 6, 6), torch.randn(1, 1, 4, 4)
    _, before, after = _keras_same(6, 4)
    with warnings.catch_warnings():  # PyTorch warns (once per process) that it pads a copy
        warnings.simplefilter("ignore", UserWarning)
        same = F.conv2d(x, w, padding="same")
    assert torch.allclose(same, F.conv2d(F.pad(x, (before, after) * 2), w))


def test_pytorch_refuses_same_padding_with_a_stride():
    message = "padding='same' is not supported for strided convolutions"
    with pytest.raises(RuntimeError, match=message):
        F.conv2d(torch.zeros(1, 1, 8, 8), torch.zeros(1, 1, 3, 3), stride=2, padding="same")
    with pytest.raises(ValueError, match=message):
        torch.nn.Conv2d(1, 1, 3, stride=2, padding="same")


def test_porting_keras_same_with_padding_1_moves_every_window():
    """H = 8, F = 3, S = 2: Keras pads (0, 1), padding=1 pads (1, 1): the same shape, and for
    random inputs and kernels none of the 16 outputs agree (the chapter prints 0 of 16)."""
    g = torch.Generator().manual_seed(0)
    for _ in range(100):
        x = torch.randn(1, 1, 8, 8, generator=g, dtype=torch.float64)
        w = torch.randn(1, 1, 3, 3, generator=g, dtype=torch.float64)
        keras_like = F.conv2d(F.pad(x, (0, 1, 0, 1)), w, stride=2)
        padding_1 = F.conv2d(x, w, stride=2, padding=1)
        assert keras_like.shape == padding_1.shape == (1, 1, 4, 4)
        assert int(torch.isclose(keras_like, padding_1).sum()) == 0


def test_the_opening_figure_sizes():
    """valid, same and stride 2 on a 5x5 input with a 3x3 window: 3x3, 5x5 and 3x3."""
    sizes = [arithmetic.conv_output_size(5, 3, stride=s, padding=p)
             for p, s in [(0, 1), (1, 1), (1, 2)]]
    assert sizes == [3, 5, 3]

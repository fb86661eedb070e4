"""Every worked figure of chapter 2 (CURRICULUM.md §2), computed with cnn_lib on the decks' own
inputs and asserted here, independently of the notebook's stored outputs (which nbval checks).

Deck tags as in CURRICULUM.md: [000] CU Boulder, [002] Northeastern, [003] Arizona State,
[004] UC Berkeley.
"""

import numpy as np
import pytest
from scipy.signal import convolve2d

from cnn_lib import arithmetic, data, plot, scratch
from cnn_lib.widgets import (
    KERNELS,
    MC_BIAS,
    MC_WEIGHT,
    MC_X,
    TOY_K,
    TOY_X,
    multichannel_animation,
    multichannel_image,
    multichannel_step,
)

torch = pytest.importorskip("torch")
F = torch.nn.functional


def test_convolution_is_correlation_with_the_flipped_kernel():
    rng = np.random.default_rng(0)
    image, kernel = rng.normal(size=(7, 6)), rng.normal(size=(3, 2))
    true_conv = convolve2d(image, kernel, mode="valid")
    np.testing.assert_allclose(scratch.corr2d(image, np.flip(kernel)), true_conv, atol=1e-12)
    assert not np.allclose(scratch.corr2d(image, kernel), true_conv)
    # 1-D: np.convolve is a true convolution, np.correlate is not
    x, w = rng.normal(size=20), np.array([0.4, 0.3, 0.2, 0.1])
    np.testing.assert_allclose(np.convolve(x, w, "valid"), np.correlate(x, w[::-1], "valid"))


def test_weighted_average_smooths_noisy_readings():
    """[003] the spaceship: a weighted average of recent readings is closer to the truth."""
    rng = np.random.default_rng(0)
    t = np.arange(60)
    position = 0.5 * t + 3 * np.sin(t / 6)
    x = position + rng.normal(0, 2.0, size=t.size)
    s = np.convolve(x, [0.4, 0.3, 0.2, 0.1], mode="valid")
    rms = lambda e: np.sqrt(np.mean(e**2))  # noqa: E731
    assert rms(s - position[3:]) < 0.7 * rms(x - position)


def test_toy_example_000():
    np.testing.assert_array_equal(scratch.corr2d(TOY_X, TOY_K),
                                  [[4, 3, 4], [2, 4, 3], [2, 3, 4]])


def test_worked_example_002():
    f = [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]
    g = [[0, 1, 2], [2, 2, 0], [0, 1, 2]]
    expected = [[12, 12, 17], [10, 17, 19], [9, 6, 14]]
    np.testing.assert_array_equal(scratch.corr2d(f, g), expected)
    out = F.conv2d(torch.tensor(f, dtype=torch.float64)[None, None],
                   torch.tensor(g, dtype=torch.float64)[None, None])
    np.testing.assert_array_equal(out[0, 0].numpy(), expected)


def test_edge_example_004():
    stripe = np.tile([0, 50, 50, 0, 0, 0], (5, 1))
    vertical, horizontal = KERNELS["vertical edge"][0], KERNELS["horizontal edge"][0]
    np.testing.assert_array_equal(vertical, [[-1, 0, 1]] * 3)
    np.testing.assert_array_equal(horizontal, [[-1, -1, -1], [0, 0, 0], [1, 1, 1]])
    np.testing.assert_array_equal(scratch.corr2d(stripe, vertical), [[150, -150, -150, 0]] * 3)
    # the horizontal twin sees nothing in a vertical stripe, and the same edges turned 90 degrees
    np.testing.assert_array_equal(scratch.corr2d(stripe, horizontal), np.zeros((3, 4)))
    np.testing.assert_array_equal(scratch.corr2d(stripe.T, horizontal),
                                  np.array([[150, -150, -150, 0]] * 3).T)
    # a true convolution flips the signs
    np.testing.assert_array_equal(convolve2d(stripe, vertical, mode="valid"),
                                  [[-150, 150, 150, 0]] * 3)


def test_curve_detector_000():
    curve = np.zeros((7, 7), dtype=int)
    for r, c in [(0, 5), (1, 4), (2, 3), (3, 3), (4, 3), (5, 3)]:
        curve[r, c] = 30
    match = np.array([[0, 0, 0, 0, 0, 0, 30], [0, 0, 0, 0, 50, 50, 50], [0, 0, 0, 20, 50, 0, 0],
                      [0, 0, 0, 50, 50, 0, 0], [0, 0, 0, 50, 50, 0, 0], [0, 0, 0, 50, 50, 0, 0],
                      [0, 0, 0, 50, 50, 0, 0]])
    other = np.array([[0, 0, 0, 0, 0, 0, 0], [0, 40, 0, 0, 0, 0, 0], [40, 0, 40, 0, 0, 0, 0],
                      [40, 20, 0, 0, 0, 0, 0], [0, 50, 0, 0, 0, 0, 0], [0, 0, 50, 0, 0, 0, 0],
                      [25, 25, 0, 50, 0, 0, 0]])
    assert scratch.corr2d(match, curve).item() == 6600 == 30 * (50 + 20 + 50 + 50 + 50)
    assert scratch.corr2d(other, curve).item() == 0


def test_filter_gallery_kernels_000_002():
    kernels = {name: (k, d) for name, (k, d) in KERNELS.items()}
    np.testing.assert_array_equal(kernels["edge (diagonal)"][0], [[1, 0, -1], [0, 0, 0],
                                                                  [-1, 0, 1]])
    np.testing.assert_array_equal(kernels["edge (Laplacian)"][0], [[0, 1, 0], [1, -4, 1],
                                                                   [0, 1, 0]])
    np.testing.assert_array_equal(kernels["edge (all directions)"][0],
                                  [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])
    np.testing.assert_array_equal(kernels["sharpen"][0], [[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
    np.testing.assert_array_equal(kernels["Gaussian blur"][0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    assert kernels["Gaussian blur"][1] == 16 and kernels["box blur"][1] == 9
    # blurs and sharpeners keep a flat patch's brightness; edge detectors send it to zero
    sums = {name: k.sum() / d for name, (k, d) in kernels.items()}
    for name in ("identity", "sharpen", "box blur", "Gaussian blur", "custom sharpen / 9"):
        assert sums[name] == pytest.approx(1)
    for name in ("edge (diagonal)", "edge (Laplacian)", "edge (all directions)"):
        assert sums[name] == 0


def test_kernel_with_a_divisor_000():
    sharpen9 = KERNELS["custom sharpen / 9"][0] / KERNELS["custom sharpen / 9"][1]
    np.testing.assert_array_equal(KERNELS["custom sharpen / 9"][0],
                                  [[0, -3, 0], [-3, 21, -3], [0, -3, 0]])
    assert scratch.corr2d(np.full((3, 3), 0.5), sharpen9).item() == pytest.approx(0.5)
    spot = np.full((3, 3), 0.2)
    spot[1, 1] = 0.8
    assert scratch.corr2d(spot, sharpen9).item() == pytest.approx((21 * 0.8 - 12 * 0.2) / 9)


def test_learning_an_edge_kernel_by_gradient_descent_002():
    """The from-scratch version of section 5: 100 steps of gradient descent find the Sobel."""
    sobel = np.array([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    noise = np.random.default_rng(0).standard_normal((8, 1, 20, 20))
    target = scratch.conv2d(noise, sobel[None, None])
    K = np.zeros((1, 1, 3, 3))
    for _ in range(100):
        err = scratch.conv2d(noise, K) - target
        _, grad_K, _ = scratch.conv2d_backward(2 * err / err.size, noise, K)
        K -= 0.4 * grad_K
    np.testing.assert_allclose(K[0, 0], sobel, atol=1e-2)


def test_shared_versus_dense_weights_000():
    assert arithmetic.shared_vs_dense_weights((3, 3), (2, 2)) == (4, 36)


def test_translation_equivariance_003_004():
    rng = np.random.default_rng(1)
    x, K = rng.standard_normal((16, 16)), rng.standard_normal((3, 3))
    shift = lambda a: np.roll(a, 2, axis=1)  # noqa: E731
    f = lambda a: scratch.corr2d(a, K)  # noqa: E731
    lhs, rhs = f(shift(x)), shift(f(x))
    np.testing.assert_allclose(lhs[:, 2:], rhs[:, 2:])  # equal away from the wrapped border
    assert not np.allclose(lhs, rhs)
    f_circ = lambda a: scratch.corr2d(scratch.pad(a, 1, mode="circular"), K)  # noqa: E731
    np.testing.assert_allclose(f_circ(shift(x)), shift(f_circ(x)))  # equal everywhere
    # not equivariant to rotation (for a kernel without that symmetry)
    assert not np.allclose(f(np.rot90(x)), np.rot90(f(x)))


def test_strided_convolution_is_equivariant_only_to_shifts_by_multiples_of_the_stride():
    """With stride S, a shift by m*S moves the output by m cells; a shift by 1 gives an output
    that is no shift of the old one. Computed with PyTorch (circular padding), not scratch."""
    rng = np.random.default_rng(2)
    x, K = torch.tensor(rng.standard_normal((16, 16))), torch.tensor(rng.standard_normal((3, 3)))

    def f(a):  # circular padding 1, 3x3 kernel, stride 2: 16x16 -> 8x8
        return F.conv2d(F.pad(a[None, None], (1, 1, 1, 1), mode="circular"), K[None, None],
                        stride=2)[0, 0]

    y = f(x)
    assert tuple(y.shape) == (8, 8)
    for shift in (2, 4, 6):
        assert torch.allclose(f(torch.roll(x, shift, 1)), torch.roll(y, shift // 2, 1))
    for shift in (1, 3):
        moved = f(torch.roll(x, shift, 1))
        assert not any(torch.allclose(moved, torch.roll(y, t, 1)) for t in range(8))
    # the chapter's own scratch version agrees
    ours = scratch.conv2d(scratch.pad(x.numpy(), 1, mode="circular")[None, None],
                          K.numpy()[None, None], stride=2)[0, 0]
    np.testing.assert_allclose(ours, y.numpy())


def test_sparse_interactions_table_002():
    costs = arithmetic.conv_costs((280, 320), (1, 2))
    assert costs["output_size"] == (280, 319)
    assert costs["convolution"] == {"storage": 2, "operations": 267_960}
    assert costs["dense matrix"]["storage"] == 319 * 280 * 320 * 280 > 8e9
    assert costs["dense matrix"]["operations"] > 16e9
    assert costs["sparse matrix"] == {"storage": 178_640, "operations": 267_960}


def test_doubly_blocked_toeplitz_product_equals_conv2d_002_003():
    rng = np.random.default_rng(2)
    image, K = rng.standard_normal((6, 6)), np.arange(1, 10).reshape(3, 3)
    M = arithmetic.conv_as_matrix(K, (6, 6))
    assert M.shape == (16, 36)
    np.testing.assert_allclose((M @ image.ravel()).reshape(4, 4),
                               scratch.conv2d(image[None, None], K[None, None])[0, 0])


def test_multi_channel_shapes_and_parameters_000_001_004():
    rng = np.random.default_rng(3)
    image = rng.standard_normal((3, 32, 32))
    assert scratch.conv2d(image, rng.standard_normal((1, 3, 5, 5))).shape == (1, 28, 28)
    six, bias = rng.standard_normal((6, 3, 5, 5)), rng.standard_normal(6)
    Z = scratch.conv2d(image, six, bias)
    assert Z.shape == (6, 28, 28)
    # the index formula of the 4-D kernel tensor [003]
    k, i, j = 4, 10, 7
    z = bias[k] + sum(image[c, i + m, j + n] * six[k, c, m, n]
                      for c in range(3) for m in range(5) for n in range(5))
    assert Z[k, i, j] == pytest.approx(z)
    # (M*M*C + 1) * C_out [004], equal to nn.Conv2d's count
    assert arithmetic.conv_params(3, 6, 5) == (5 * 5 * 3 + 1) * 6 == 456
    layer = torch.nn.Conv2d(3, 6, 5)
    assert sum(p.numel() for p in layer.parameters()) == 456


def test_one_by_one_convolution_mixes_channels_per_pixel_001():
    rng = np.random.default_rng(4)
    feat, W = rng.standard_normal((8, 10, 10)), rng.standard_normal((3, 8, 1, 1))
    per_pixel = np.einsum("oc,chw->ohw", W[:, :, 0, 0], feat)
    np.testing.assert_allclose(scratch.conv2d(feat, W), per_pixel)


def test_stacked_layers_see_larger_regions_001():
    rng = np.random.default_rng(5)
    K_a, K_b, image = rng.standard_normal((3, 3)), rng.standard_normal((3, 3)), rng.normal(
        size=(9, 9))
    two_layers = scratch.corr2d(scratch.corr2d(image, K_a), K_b)
    np.testing.assert_allclose(two_layers, scratch.corr2d(image, convolve2d(K_a, K_b)))
    # receptive field of one output after L stacked 3x3 layers: 2L + 1
    for layers in (1, 2, 3):
        x = np.zeros((11, 11))
        x[5, 5] = 1.0  # which outputs does one input pixel reach? as many as see it
        y = x
        for _ in range(layers):
            y = scratch.corr2d(scratch.pad(y, 1), np.ones((3, 3)))
        assert (y != 0).any(axis=0).sum() == 2 * layers + 1


def test_backward_pass_by_hand_matches_autograd():
    rng = np.random.default_rng(6)
    X, K, G = rng.standard_normal((5, 5)), rng.standard_normal((2, 2)), rng.normal(size=(4, 4))
    dK = scratch.corr2d(X, G)  # input correlated with the upstream gradient
    dX = scratch.corr2d(scratch.pad(G, 1), np.flip(K))  # full convolution with K
    Xt, Kt = torch.tensor(X, requires_grad=True), torch.tensor(K, requires_grad=True)
    (F.conv2d(Xt[None, None], Kt[None, None])[0, 0] * torch.tensor(G)).sum().backward()
    np.testing.assert_allclose(dK, Kt.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(dX, Xt.grad.numpy(), atol=1e-12)


def test_im2col_columns_times_the_kernel_are_the_convolution():
    """Section 7's im2col figure: column (i * W_out + j) is window (i, j) read row by row, and
    vec(w) @ cols(X) is the valid cross-correlation."""
    X = np.array([[3, 1, 0, 2], [1, 4, 2, 0], [0, 2, 5, 1], [2, 0, 1, 3]], dtype=float)
    w = np.array([[1.0, 0.0], [0.0, -1.0]])
    cols, size = scratch.conv.im2col(X[None, None], (2, 2), (1, 1), (0, 0, 0, 0), (1, 1), 1)
    assert cols.shape == (1, 1, 4, 9) and tuple(size) == (3, 3)
    assert cols[0, 0, :, 5].tolist() == [2, 0, 5, 1]  # the window at row 1, column 2
    np.testing.assert_array_equal((w.ravel() @ cols[0, 0]).reshape(3, 3),
                                  [[-1, -1, 0], [-1, -1, 1], [0, 1, 2]])  # X[i, j] - X[i+1, j+1]
    np.testing.assert_array_equal((w.ravel() @ cols[0, 0]).reshape(3, 3), scratch.corr2d(X, w))


def test_multichannel_figure_sums_the_channels_into_one_map():
    """Section 8's drawn example: three per-channel cross-correlations plus the bias make the
    one map, as conv2d computes it (values read off the figure)."""
    X = np.array([[[1, 0, 2, 1], [0, 1, 1, 0], [2, 1, 0, 1], [1, 0, 1, 2]],
                  [[0, 2, 1, 0], [1, 1, 0, 2], [0, 1, 2, 1], [2, 0, 1, 1]],
                  [[1, 1, 0, 0], [0, 2, 1, 1], [1, 0, 1, 0], [0, 1, 2, 2]]], dtype=float)
    w = np.array([[[1, 0], [0, 1]], [[0, 1], [1, 0]], [[1, 1], [0, 0]]], dtype=float)
    maps = [convolve2d(X[c], w[c, ::-1, ::-1], mode="valid") for c in range(3)]  # correlation
    expected = [[8, 5, 3], [5, 6, 9], [7, 6, 6]]
    np.testing.assert_array_equal(sum(maps) + 1.0, expected)
    np.testing.assert_array_equal(scratch.conv2d(X, w[None], np.array([1.0]))[0], expected)


def test_multichannel_animation_frames_hold_conv2d_values():
    """Section 8's animation: at every frame the C channel sums plus the bias are the value
    F.conv2d writes there, and the maps filled so far are F.conv2d's (NaN elsewhere)."""
    expected = F.conv2d(torch.tensor(MC_X[None], dtype=torch.float64),
                        torch.tensor(MC_WEIGHT, dtype=torch.float64),
                        torch.tensor(MC_BIAS, dtype=torch.float64))[0].numpy()
    # map 0 is the drawn figure's; map 1 checked by hand at (0, 0): 1 + 0 + 2 - 1 = 2
    np.testing.assert_array_equal(expected, [[[8, 5, 3], [5, 6, 9], [7, 6, 6]],
                                             [[2, 8, 4], [5, 3, 1], [2, 4, 9]]])
    frames = 0
    for k in range(2):
        for p in range(9):
            s = multichannel_step(MC_X, MC_WEIGHT, MC_BIAS, k, p)
            i, j = divmod(p, 3)
            assert (s.filter, s.row, s.col, s.n_positions, s.n_filters) == (k, i, j, 9, 2)
            np.testing.assert_array_equal(s.windows, MC_X[:, i:i + 2, j:j + 2])
            np.testing.assert_array_equal(s.products, s.windows * MC_WEIGHT[k])
            per_channel = [scratch.corr2d(MC_X[c], MC_WEIGHT[k, c])[i, j] for c in range(3)]
            np.testing.assert_array_equal(s.channel_sums, per_channel)
            assert s.bias == MC_BIAS[k] and s.total == expected[k, i, j]
            done = np.zeros((2, 3, 3), dtype=bool)
            done[:k] = True
            done[k].flat[:p + 1] = True
            assert np.array_equal(np.isfinite(s.output_so_far), done)
            np.testing.assert_array_equal(s.output_so_far[done], expected[done])
            frames += 1
    assert frames == 18
    with pytest.raises(ValueError, match="k must be in 0..1"):
        multichannel_step(MC_X, MC_WEIGHT, MC_BIAS, 2, 0)
    with pytest.raises(ValueError, match="position must be in 0..8"):
        multichannel_step(MC_X, MC_WEIGHT, MC_BIAS, 0, 9)


@pytest.mark.parametrize("X, weight, bias, words", [
    (np.zeros((2, 4, 4)), np.zeros((1, 3, 2, 2)), None, ["3 input channel", "X has 2"]),
    (np.zeros((3, 4, 4)), np.zeros((1, 3, 5, 2)), None, ["kernel (5x2)", "fit inside"]),
    (np.zeros((3, 4, 4)), np.zeros((2, 3, 2, 2)), [1.0], ["bias", "(2,)", "(1,)"]),
    (np.zeros((4, 4)), np.zeros((1, 1, 2, 2)), None, ["X", "3-D"]),
    (np.full((1, 4, 4), np.nan), np.zeros((1, 1, 2, 2)), None, ["X", "finite"]),
])
def test_multichannel_step_rejects_bad_input(X, weight, bias, words):
    with pytest.raises(ValueError) as info:
        multichannel_step(X, weight, bias)
    for w in words:
        assert w in str(info.value)


def test_multichannel_animation_has_one_frame_per_output_value_and_fits_a_phone():
    """18 frames (2 filters x 9 positions); a frame about 480 px wide, so that its 14-px text
    is still >= 10 px on a 390-px phone (about 360 px of content)."""
    state = multichannel_step(MC_X, MC_WEIGHT, MC_BIAS, 1, 4)
    width, height = multichannel_image(MC_X, MC_WEIGHT, state, MC_BIAS).size
    assert 14 * 360 / width >= 10 and height < 600
    html = plot.animation_html(multichannel_animation(), alt="two filters, two maps").data
    assert html.count('] = "data:image/png;base64') == 18
    assert 'alt="two filters, two maps"' in html and len(html) < 800_000
    with pytest.raises(ValueError, match="at most 4 channels"):
        multichannel_animation(np.zeros((5, 4, 4)), np.zeros((1, 5, 2, 2)))


def test_dense_matrix_costs_four_billion_times_the_storage_and_60000_times_the_work():
    """Goodfellow et al., Figure 9.6: 'four billion times more efficient for representing',
    'roughly 60,000 times more efficient computationally' (section 7 prints both ratios)."""
    costs = arithmetic.conv_costs((280, 320), (1, 2))
    conv, dense = costs["convolution"], costs["dense matrix"]
    assert dense["storage"] // conv["storage"] == 4_001_536_000
    assert round(dense["operations"] / conv["operations"]) == 59_733


def test_laplacian_is_negative_on_a_bright_pixel_and_positive_on_a_dark_one():
    """Section 4's caption: (sum of the four neighbours) - 4 * pixel, so red (> 0) marks a pixel
    darker than its neighbours, blue (< 0) a brighter one."""
    w = KERNELS["edge (Laplacian)"][0]
    bright = np.pad([[1.0]], 1)
    assert scratch.corr2d(bright, w).item() == -4
    assert scratch.corr2d(1 - bright, w).item() == 4


def test_the_opening_figure_is_a_real_feature_map():
    """The opening figure: the 120x100 photo under a 3x3 vertical-edge kernel gives a 118x98
    map, signed (both colours of the diverging map appear), equal to PyTorch's."""
    photo = data.load_photo(size=(120, 100))
    w = np.array([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    feature_map = scratch.corr2d(photo, w)
    assert photo.shape == (120, 100) and feature_map.shape == (118, 98)
    assert feature_map.min() < 0 < feature_map.max()
    theirs = F.conv2d(torch.tensor(photo)[None, None], torch.tensor(w)[None, None])[0, 0]
    np.testing.assert_allclose(feature_map, theirs.numpy(), atol=1e-12)

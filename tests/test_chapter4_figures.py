"""Every worked figure of chapter 4 (CURRICULUM.md §4), computed with cnn_lib and asserted here,
independently of the notebook's stored outputs (which nbval checks).

Deck tags as in CURRICULUM.md: [000] CU Boulder, [001] Johns Hopkins, [002] Northeastern,
[003] Arizona State, [004] UC Berkeley.
"""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cnn_lib import arithmetic, data, scratch
from cnn_lib.scratch.adaptive_pooling import adaptive_bounds
from cnn_lib.widgets import KERNELS, relative_change, shift_right

X = np.array([[2, 2, 7, 3], [9, 4, 6, 1], [8, 5, 2, 4], [3, 1, 2, 6]], dtype=float)[None, None]


def test_the_4x4_example_002():
    np.testing.assert_array_equal(scratch.max_pool2d(X, 2)[0, 0], [[9, 7], [8, 6]])
    np.testing.assert_array_equal(scratch.avg_pool2d(X, 2)[0, 0], [[4.25, 4.25], [4.25, 3.5]])
    assert scratch.lp_pool2d(X, 2, 2)[0, 0, 0, 0] == pytest.approx(np.sqrt(105))
    # p = 1 is the window's sum (4x the average); a large p nears the maximum (inputs >= 0)
    np.testing.assert_array_equal(scratch.lp_pool2d(X, 1, 2)[0, 0], [[17, 17], [17, 14]])
    np.testing.assert_array_equal(scratch.lp_pool2d(X, 32, 2)[0, 0].round(3),
                                  [[9, 7.002], [8, 6]])
    # PyTorch takes no absolute values: a negative window gives a signed sum (p = 1), NaN for
    # an odd p > 1, and the norm of |x| only for an even p
    neg = torch.tensor([[[[-1.0, -2], [-3, -4]]]])
    assert F.lp_pool2d(neg, 1, 2).item() == -10
    assert torch.isnan(F.lp_pool2d(neg, 3, 2)).item()
    assert F.lp_pool2d(neg, 2, 2).item() == pytest.approx(np.sqrt(30))


def test_count_include_pad_darkens_the_border():
    ones = np.ones((1, 1, 4, 4))
    assert scratch.avg_pool2d(ones, 3, 1, 1)[0, 0, 0, 0] == pytest.approx(4 / 9)
    assert (scratch.avg_pool2d(ones, 3, 1, 1, count_include_pad=False) == 1).all()


def test_per_channel_no_weights_and_output_sizes_000_001():
    maps = np.random.default_rng(0).normal(size=(1, 3, 6, 6))
    pooled = scratch.max_pool2d(maps, 2)
    assert pooled.shape == (1, 3, 3, 3)  # D2 = D1
    for c in range(3):
        np.testing.assert_array_equal(pooled[:, c], scratch.max_pool2d(maps[:, c:c + 1], 2)[:, 0])
    assert sum(p.numel() for p in torch.nn.MaxPool2d(2).parameters()) == 0
    sizes = [arithmetic.pool_output_size(n, k, s) for n, k, s in
             [(224, 2, 2), (32, 2, 2), (55, 3, 2), (13, 3, 2)]]
    assert sizes == [112, 16, 27, 6]
    # AlexNet's three overlapping poolings (55 -> 27, 27 -> 13, 13 -> 6), and the 2x2 / 2
    # pooling it was compared with gives outputs of the same size
    assert [arithmetic.pool_output_size(n, 3, 2) for n in (55, 27, 13)] == [27, 13, 6]
    assert [arithmetic.pool_output_size(n, 2, 2) for n in (55, 27, 13)] == [27, 13, 6]
    assert (arithmetic.pool_output_size(7, 2), arithmetic.pool_output_size(7, 2, ceil_mode=True)
            ) == (3, 4)


def test_max_pooling_pads_with_minus_infinity():
    negative = -np.arange(1, 10, dtype=float).reshape(1, 1, 3, 3)
    assert scratch.max_pool2d(negative, 2, stride=1, padding=1).max() == -1


def test_a_row_where_half_the_pooled_outputs_change_000():
    before, after = np.array([1.0, 5, 2, 0, 1, 3]), np.array([0.0, 1, 5, 2, 0, 1])
    pool = lambda row: np.lib.stride_tricks.sliding_window_view(row, 3).max(axis=1)  # noqa
    assert (before != after).all()
    assert (pool(before) != pool(after)).sum() == 2 == pool(before).size / 2


def _relative_change(before, after):
    """Per-digit ||after - before|| / ||before||, averaged over the digits (written out here,
    independently of widgets.relative_change)."""
    b, a = before.reshape(len(before), -1), after.reshape(len(after), -1)
    return float(np.mean(np.linalg.norm(a - b, axis=1) / np.linalg.norm(b, axis=1)))


def test_shift_resilience_on_all_digits_000():
    train, test, _, _ = data.load_digits()
    images = np.pad(np.concatenate([train, test]), ((0, 0), (0, 0), (2, 2), (2, 2))).astype(float)
    assert images.shape == (1797, 1, 12, 12)
    names = ["vertical edge", "horizontal edge", "edge (diagonal)", "edge (Laplacian)"]
    bank = np.stack([KERNELS[n][0] for n in names])[:, None] * 1.0
    t = torch.tensor
    stages = {  # pooled with PyTorch, independently of scratch
        "conv": lambda d: d,
        "max2": lambda d: F.max_pool2d(t(d), 2).numpy(),
        "max3": lambda d: F.max_pool2d(t(d), 3, 1).numpy(),
        "avg2": lambda d: F.avg_pool2d(t(d), 2).numpy(),
        "avg3": lambda d: F.avg_pool2d(t(d), 3, 1).numpy(),
        "global": lambda d: d.max(axis=(2, 3)),
    }
    d = F.relu(F.conv2d(t(images), t(bank), padding=1)).numpy()
    change = {"input": []} | {name: [] for name in stages}
    for shift in (1, 2, 3):
        moved = shift_right(images, shift)
        d_moved = F.relu(F.conv2d(t(moved), t(bank), padding=1)).numpy()
        change["input"].append(_relative_change(images, moved))
        for name, stage in stages.items():
            change[name].append(_relative_change(stage(d), stage(d_moved)))
    expected = {"input": [0.82, 1.14, 1.26], "conv": [0.92, 1.22, 1.28],
                "max2": [0.63, 0.96, 1.14], "max3": [0.47, 0.75, 0.95],
                "avg2": [0.70, 1.05, 1.24], "avg3": [0.49, 0.86, 1.10],
                "global": [0.0, 0.0, 0.0]}
    for key, values in expected.items():
        assert change[key] == pytest.approx(values, abs=0.006), key
    # the library function the chapter uses gives the same numbers
    moved = shift_right(images, 1)
    d_moved = F.relu(F.conv2d(t(moved), t(bank), padding=1)).numpy()
    assert relative_change(d, d_moved) == pytest.approx(change["conv"][0], abs=1e-12)
    # the claims: 3x3 pooling halves the change; average pooling about as good as max;
    # a shift as large as the window changes the pooled map as much as one pixel the conv map
    conv1 = change["conv"][0]
    assert change["max3"][0] < 0.55 * conv1 and change["avg3"][0] < 0.55 * conv1
    assert change["max2"][0] < 0.7 * conv1 and change["avg2"][0] < 0.8 * conv1
    assert 0 < change["avg3"][0] - change["max3"][0] < 0.05
    assert 0 < change["avg2"][0] - change["max2"][0] < 0.1
    assert change["max2"][1] > conv1 and change["max3"][2] > conv1
    assert change["global"][0] == change["global"][1] == 0.0 < change["global"][2] < 0.005
    # the conv map's change is only a move (equivariance): shifting it back undoes it
    assert _relative_change(shift_right(d, 1), d_moved) < 1e-12
    # shift 3: 221 digits lose their last column of ink (digit column 7, canvas column 9) off
    # the 12-pixel canvas; the global maximum of 35 of them changes; mean change 0.002
    loses_ink = (images[:, 0, :, 9] > 0).any(axis=1)
    assert loses_ink.sum() == 221
    d3 = F.relu(F.conv2d(t(shift_right(images, 3)), t(bank), padding=1)).numpy()
    g, g3 = d.max(axis=(2, 3)), d3.max(axis=(2, 3))
    changed = (np.abs(g - g3) > 1e-9).any(axis=1)
    assert changed.sum() == 35 and (changed <= loses_ink).all()
    assert round(change["global"][2], 3) == 0.002


def test_invariance_and_equivariance_003():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(1, 1, 12, 12))
    bank = rng.normal(size=(4, 1, 3, 3))
    roll = lambda a, s: np.roll(a, s, axis=-1)  # noqa: E731
    conv = lambda a: scratch.conv2d(scratch.pad(a, 1, mode="circular"), bank)  # noqa: E731
    np.testing.assert_allclose(conv(roll(x, 1)), roll(conv(x), 1))
    pool2 = lambda a: scratch.max_pool2d(a, 2)  # noqa: E731
    np.testing.assert_allclose(pool2(roll(x, 2)), roll(pool2(x), 1))
    assert not np.allclose(pool2(roll(x, 1)), pool2(x))
    for s in range(1, 6):
        np.testing.assert_allclose(roll(x, s).max(axis=(2, 3)), x.max(axis=(2, 3)))


def test_adaptive_pooling_gives_a_fixed_size_003():
    rng = np.random.default_rng(2)
    for H, W in [(7, 7), (12, 9), (32, 32)]:
        m = rng.normal(size=(1, 16, H, W))
        out = scratch.adaptive_avg_pool2d(m, (2, 2))
        assert out.shape == (1, 16, 2, 2)
        np.testing.assert_allclose(out, F.adaptive_avg_pool2d(torch.tensor(m), (2, 2)).numpy())
    cases = [(8, 4), (10, 4), (5, 3), (7, 2)]
    windows = [[(0, 2), (2, 4), (4, 6), (6, 8)], [(0, 3), (2, 5), (5, 8), (7, 10)],
               [(0, 2), (1, 4), (3, 5)], [(0, 4), (3, 7)]]
    assert [list(zip(*adaptive_bounds(L, n))) for L, n in cases] == windows
    for (L, n), expected in zip(cases, windows):
        # the rule floor(i*L/n) .. ceil((i+1)*L/n), written out
        assert [(math.floor(i * L / n), math.ceil((i + 1) * L / n)) for i in range(n)] == expected
        # and PyTorch's own windows: pool one-hot rows, see which cells reach output i
        out = F.adaptive_avg_pool1d(torch.eye(L, dtype=torch.float64)[None], n)[0]
        assert [(int(np.flatnonzero(out[:, i])[0]), int(np.flatnonzero(out[:, i])[-1]) + 1)
                for i in range(n)] == expected
    # shared cells between neighbours: L = 10, n = 4 overlaps, but not between windows 1 and 2
    shared = {(L, n): [e - s for (_, e), (s, _) in zip(w[:-1], w[1:])]
              for (L, n), w in zip(cases, windows)}
    assert shared == {(8, 4): [0, 0, 0], (10, 4): [1, 0, 1], (5, 3): [1, 1], (7, 2): [1]}
    assert arithmetic.linear_params(16 * 7 * 7, 10) == 7850
    assert arithmetic.linear_params(16, 10) == 170
    # the weights alone shrink by exactly 7 * 7 = 49 (the 10 biases do not shrink)
    flat_w = arithmetic.linear_params(16 * 7 * 7, 10, bias=False)
    gap_w = arithmetic.linear_params(16, 10, bias=False)
    assert (flat_w, gap_w, flat_w / gap_w) == (7840, 160, 49)


def test_what_pooling_saves_000_004():
    def costs(pool):
        s1 = arithmetic.conv_output_size(28, 3, padding=1)
        s2 = arithmetic.pool_output_size(s1, 2) if pool else s1
        s3 = arithmetic.conv_output_size(s2, 3, padding=1)
        s4 = arithmetic.pool_output_size(s3, 2) if pool else s3
        mults = (arithmetic.conv_multiplications(1, 6, 3, s1)
                 + arithmetic.conv_multiplications(6, 16, 3, s3) + 16 * s4**2 * 120)
        stored = 6 * s1**2 + 16 * s3**2 + ((6 * s2**2 + 16 * s4**2) if pool else 0)
        return mults, stored, arithmetic.linear_params(16 * s4**2, 120)

    assert costs(True) == (305_760, 9_800, 94_200)
    assert costs(False) == (2_224_992, 17_248, 1_505_400)
    assert round(17_248 / 9_800, 2) == 1.76
    assert round(2_224_992 / 305_760, 2) == 7.28 and round(1_505_400 / 94_200, 2) == 15.98

    # the activations, counted from PyTorch: every layer's output, with and without pooling
    def activations(layers):
        x, total = torch.zeros(1, 1, 28, 28), 0
        for layer in layers:
            x = layer(x)
            total += x.numel()
        return total

    conv1, conv2 = torch.nn.Conv2d(1, 6, 3, padding=1), torch.nn.Conv2d(6, 16, 3, padding=1)
    pool = torch.nn.MaxPool2d(2)
    with torch.no_grad():
        assert activations([conv1, pool, conv2, pool]) == 9_800
        assert activations([conv1, conv2]) == 17_248  # no pooled maps to store twice
    # the same counts from PyTorch's FLOP counter (2 per multiply-add) for the convolutions
    from torch.utils.flop_counter import FlopCounterMode

    net = torch.nn.Sequential(torch.nn.Conv2d(1, 6, 3, padding=1), torch.nn.MaxPool2d(2),
                              torch.nn.Conv2d(6, 16, 3, padding=1), torch.nn.MaxPool2d(2),
                              torch.nn.Flatten(), torch.nn.Linear(16 * 7 * 7, 120))
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        net(torch.zeros(1, 1, 28, 28))
    assert counter.get_total_flops() == 2 * 305_760


def test_backward_by_hand():
    G = np.array([[1.0, 2], [3, 4]])[None, None]
    np.testing.assert_array_equal(scratch.max_pool2d_backward(G, X, 2)[0, 0],
                                  [[0, 0, 2, 0], [1, 0, 0, 0], [3, 0, 0, 0], [0, 0, 0, 4]])
    np.testing.assert_array_equal(scratch.avg_pool2d_backward(G, X, 2)[0, 0],
                                  np.kron(G[0, 0], np.ones((2, 2))) / 4)
    ties = scratch.max_pool2d_backward(np.ones((1, 1, 1, 1)), np.zeros((1, 1, 2, 2)), 2)
    np.testing.assert_array_equal(ties[0, 0], [[1, 0], [0, 0]])
    # PyTorch's CPU kernel also gives a tie to the first cell in reading order
    for x in ([[0.0, 0], [0, 0]], [[0.0, 5], [5, 0]], [[1.0, 0], [1, 0]]):
        xt = torch.tensor(x)[None, None].requires_grad_()
        F.max_pool2d(xt, 2).sum().backward()
        first = np.unravel_index(np.argmax(x), (2, 2))
        expected = np.zeros((2, 2))
        expected[first] = 1
        np.testing.assert_array_equal(xt.grad[0, 0].numpy(), expected)
        np.testing.assert_array_equal(
            scratch.max_pool2d_backward(np.ones((1, 1, 1, 1)), np.array(x)[None, None], 2)[0, 0],
            expected)


def test_scratch_pooling_takes_pytorchs_arguments():
    # section 1: dilation for max pooling only, count_include_pad for average pooling only
    import inspect

    for ours, theirs in [(scratch.max_pool2d, torch.nn.MaxPool2d),
                         (scratch.avg_pool2d, torch.nn.AvgPool2d)]:
        mine = set(inspect.signature(ours).parameters) - {"input"}
        assert mine == set(inspect.signature(theirs.__init__).parameters) - {"self"}
    assert "dilation" not in inspect.signature(scratch.avg_pool2d).parameters
    assert "count_include_pad" not in inspect.signature(scratch.max_pool2d).parameters


def _all_digits():
    train, test, _, _ = data.load_digits()
    return np.pad(np.concatenate([train, test]), ((0, 0), (0, 0), (2, 2), (2, 2))).astype(float)


def test_pooling_as_an_infinitely_strong_prior_holds_for_any_filters():
    """Section 4: with four random filters (seed 1) instead of the edge filters, pooling absorbs
    a one-pixel shift about as well, and the global maximum does not change at all."""
    images = _all_digits()
    bank = np.random.default_rng(1).standard_normal((4, 1, 3, 3))
    t = torch.tensor
    d = F.relu(F.conv2d(t(images), t(bank), padding=1)).numpy()
    d_moved = F.relu(F.conv2d(t(shift_right(images, 1)), t(bank), padding=1)).numpy()
    change = {
        "conv": _relative_change(d, d_moved),
        "max2": _relative_change(F.max_pool2d(t(d), 2).numpy(),
                                 F.max_pool2d(t(d_moved), 2).numpy()),
        "max3": _relative_change(F.max_pool2d(t(d), 3, 1).numpy(),
                                 F.max_pool2d(t(d_moved), 3, 1).numpy()),
        "global": _relative_change(d.max(axis=(2, 3)), d_moved.max(axis=(2, 3))),
    }
    expected = {"conv": 0.79, "max2": 0.58, "max3": 0.45, "global": 0.0}
    for key, value in expected.items():
        assert change[key] == pytest.approx(value, abs=0.006), key
    # the edge filters' numbers (section 3) are 0.92, 0.63, 0.47: the ratios pooled / conv
    # are about the same with filters no one chose
    assert abs(change["max3"] / change["conv"] - 0.47 / 0.92) < 0.1
    assert abs(change["max2"] / change["conv"] - 0.63 / 0.92) < 0.1
    g, g_moved = d.max(axis=(2, 3)), d_moved.max(axis=(2, 3))
    assert np.isclose(g, g_moved, rtol=1e-12, atol=0).all()      # 100% of the digits
    # the chapter's own code gives the same numbers with scratch
    ours = np.maximum(scratch.conv2d(images[:50], bank, padding=1), 0)
    np.testing.assert_allclose(ours, d[:50], atol=1e-12)


def test_the_opening_figure_counts_changed_cells():
    """The opening figure: digit 3 of scikit-learn's digits on a 2-pixel border, its ReLU
    vertical-edge map, 2x2 max pooling and global maximum, before and after a one-pixel shift:
    38 of 144 pixels, 48 of 144 map cells, 12 of 36 pooled cells and 0 of 1 change."""
    from sklearn.datasets import load_digits

    digit = np.pad(load_digits().images[3], 2)[None, None] / 16
    edge = np.asarray(KERNELS["vertical edge"][0], float)[None, None]
    rows = []
    for shift in (0, 1):
        x = shift_right(digit, shift)
        d = np.maximum(scratch.conv2d(x, edge, padding=1), 0)
        rows.append([x, d, scratch.max_pool2d(d, 2), d.max(axis=(2, 3), keepdims=True)])
    changed = [int((b != a).sum()) for a, b in zip(*rows)]
    sizes = [a.size for a in rows[0]]
    assert changed == [38, 48, 12, 0] and sizes == [144, 144, 36, 1]

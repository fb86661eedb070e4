"""The FCN's bilinear upsampling (cnn_lib.fcn): the kernel, the transposed convolution equal to
F.interpolate(..., mode='bilinear', align_corners=False) inside the map, where and why they
differ at the border, and the edge-replicating variant that is equal everywhere."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cnn_lib import fcn


def test_bilinear_kernel_values():
    np.testing.assert_allclose(fcn.bilinear_kernel(2)[1], 0.75 * np.array([0.25, 0.75, 0.75,
                                                                           0.25]))
    line4 = np.array([1, 3, 5, 7, 7, 5, 3, 1]) / 8          # factor 4: k = 8, centre 3.5
    np.testing.assert_allclose(fcn.bilinear_kernel(4), np.outer(line4, line4))
    line3 = np.array([1, 2, 3, 2, 1]) / 3                   # factor 3: k = 5, centre 2
    np.testing.assert_allclose(fcn.bilinear_kernel(3), np.outer(line3, line3))
    # every output position gets weights that add up to 1 (one phase of the stride at a time)
    for f in (2, 3, 4, 5):
        line = np.sqrt(np.diag(fcn.bilinear_kernel(f)))  # the 1-D kernel
        for phase in range(f):
            assert line[phase::f].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("factor", [2, 3, 4])
@pytest.mark.parametrize("size", [(1, 1), (3, 5), (6, 4)])
def test_equal_to_interpolate_inside_and_where_they_differ(factor, size):
    torch.manual_seed(0)
    x = torch.randn(2, 3, *size)
    ref = F.interpolate(x, scale_factor=factor, mode="bilinear", align_corners=False)
    with torch.no_grad():
        ours = fcn.BilinearUpsampling(3, factor)(x)
        edges = fcn.BilinearUpsampling(3, factor, replicate_edges=True)(x)
    assert ours.shape == ref.shape == (2, 3, size[0] * factor, size[1] * factor)
    differ = (ours - ref).abs() > 1e-5
    m = factor // 2  # the rows and columns whose sampling position lies outside the input
    inside = torch.zeros_like(differ)
    inside[..., m:ours.shape[-2] - m, m:ours.shape[-1] - m] = True
    assert not differ[inside].any()
    assert differ[..., 0, :].all() and differ[..., :, -1].all()  # a border row and column
    torch.testing.assert_close(edges, ref, atol=1e-5, rtol=0)


def test_the_border_by_hand():
    # factor 2 on [a, b] = [4, 8]: interpolate gives 4, 5, 7, 8 (the ends repeat the edge);
    # the transposed convolution gives 0.75 * 4 = 3 and 0.75 * 8 = 6 there (zeros beyond)
    x = torch.tensor([[[[4.0, 8.0]]]])
    ref = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
    with torch.no_grad():
        ours = fcn.BilinearUpsampling(1, 2)(x)
    assert ref[0, 0, 0].tolist() == [4, 5, 7, 8]
    assert ours[0, 0, 0].tolist() == [0.75 * 3, 0.75 * 5, 0.75 * 7, 0.75 * 6]


def test_align_corners_true_is_not_what_it_equals():
    x = torch.randn(1, 1, 4, 4)
    with torch.no_grad():
        ours = fcn.BilinearUpsampling(1, 2, replicate_edges=True)(x)
    other = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)
    assert (ours - other).abs().max() > 0.01


def test_no_mixing_across_channels_and_it_learns():
    up = fcn.BilinearUpsampling(3, 2)
    assert up.weight.shape == (3, 3, 4, 4) and up.stride == (2, 2) and up.padding == (1, 1)
    off_diagonal = up.weight.detach().clone()
    for i in range(3):
        off_diagonal[i, i] = 0
    assert off_diagonal.abs().max() == 0 and up.bias.abs().max() == 0
    assert up.weight.requires_grad


def test_fcn_shapes_and_bad_input():
    model = fcn.FCN(width=8).eval()
    assert model(torch.zeros(2, 1, 32, 32)).shape == (2, 4, 32, 32)
    assert model.upsample.weight.shape == (4, 4, 8, 8) and model.upsample.stride == (4, 4)
    with pytest.raises(ValueError, match=r"FCN: .* divisible by 4, got \(30, 30\)"):
        model(torch.zeros(1, 1, 30, 30))
    with pytest.raises(ValueError, match=r"factor must be an int >= 1, got 0"):
        fcn.bilinear_kernel(0)

"""Transposed convolution ("deconvolution", "up-convolution") from scratch, two ways.

A convolution with stride S takes many input pixels to one output pixel. A transposed
convolution runs the same arrows backwards: each input pixel is spread out into a whole kernel's
worth of output pixels. Two ways to compute it, which give the same numbers:

- ``conv_transpose2d``: the **scatter** form, the NumPy twin of
  ``torch.nn.functional.conv_transpose2d``. Every input value times the kernel is added into the
  output, the copies S pixels apart; overlapping copies add up. Then ``padding`` is cropped off
  each side.
- ``conv_transpose2d_as_conv``: the **zero-insertion** form. Put S - 1 zeros between the input
  values, pad by D(F - 1) - P, and run an ordinary ``conv2d`` with the kernel flipped and its
  in / out channel axes swapped.

The scatter form is also what ``conv2d_backward`` does to ``grad_output``: the gradient of a
convolution with respect to its input is the transposed convolution of the output's gradient
with the same weight (which is where the name comes from: in matrix form, the convolution is
``y = C x`` and this is ``C.T y``).
"""

import numpy as np

from cnn_lib import arithmetic
from cnn_lib.checks import as_real_array, check_int, float_dtype, pair

from .conv import conv2d, input_and_weight


def transpose_arguments(fn, input, weight, bias, stride, padding, output_padding, groups,
                        dilation):
    """Check the arguments of a transposed convolution and bring them into one form.

    Returns ``(x, w, bias, batched, stride, padding, dilation, groups, out_size)``: ``x`` of
    shape (N, C_in, H, W) (a batch of one if ``input`` was unbatched), ``w`` of shape
    (C_in, C_out / groups, kh, kw) and ``bias`` of shape (C_out,) or None, all three in the
    dtype of the result; the others as (height, width) pairs and an int.
    """
    x, w, batched = input_and_weight(fn, input, weight, "(C_in, C_out / groups, kh, kw)")
    stride = pair(stride, "stride", fn, 1)
    padding = pair(padding, "padding", fn, 0)
    output_padding = pair(output_padding, "output_padding", fn, 0)
    dilation = pair(dilation, "dilation", fn, 1)
    groups = check_int(groups, "groups", fn, 1)

    C_in = x.shape[1]
    if C_in % groups:
        raise ValueError(f"{fn}: groups={groups} must divide the input channels, "
                         f"but input has {C_in} channels")
    if w.shape[0] != C_in:
        raise ValueError(
            f"{fn}: weight has {w.shape[0]} input channels (weight.shape[0]) but input has "
            f"{C_in} channels; a transposed convolution's weight is laid out "
            f"(C_in, C_out / groups, kh, kw), the other way round from conv2d's")
    C_out = w.shape[1] * groups
    arrays = (x, w)
    if bias is not None:
        bias = as_real_array(bias, "bias", fn)
        if bias.shape != (C_out,):
            raise ValueError(f"{fn}: bias must have shape (C_out,) = ({C_out},) "
                             f"(weight.shape[1] * groups), got shape {bias.shape}")
        arrays += (bias,)
    try:
        out_size = arithmetic.conv_transpose_output_size(
            x.shape[2:], w.shape[2:], stride, padding, output_padding, dilation)
    except ValueError as err:
        raise ValueError(f"{fn}: {err} (input of shape {x.shape[2:]}, "
                         f"kernel {w.shape[2:]})") from None
    dtype = float_dtype(*arrays)
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    if bias is not None:
        bias = bias.astype(dtype, copy=False)
    return x, w, bias, batched, stride, padding, dilation, groups, out_size


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """Transposed convolution, like ``torch.nn.functional.conv_transpose2d`` (scatter form).

    Input pixel (i, j) times kernel tap (a, b) is added to output pixel
    (i*sh + a*dh - ph, j*sw + b*dw - pw):

    ``out[n, o, i*sh + a*dh - ph, j*sw + b*dw - pw] += x[n, c, i, j] * weight[c, o', a, b]``

    summed over the input channels ``c`` of the group of output channel ``o``
    (``o' = o mod C_out/groups``); copies that fall outside the output are dropped.

    Parameters
    ----------
    input : array of shape (N, C_in, H, W), or (C_in, H, W) for one unbatched image
    weight : array of shape (C_in, C_out / groups, kh, kw) (in and out swapped compared with
        ``conv2d``, as in PyTorch)
    bias : array of shape (C_out,) or None
    stride : int or (sh, sw), >= 1: how far apart neighbouring input pixels' copies land
    padding : int or (ph, pw): rows / columns cropped off each side of the result
    output_padding : int or (oh, ow), smaller than the stride or the dilation: extra rows /
        columns at the bottom / right (to reach the size a strided conv2d started from)
    groups : int dividing C_in: channels are split into ``groups`` independent stacks
    dilation : int or (dh, dw), >= 1: gaps between kernel taps

    Returns
    -------
    array of shape (N, C_out, H_out, W_out) (unbatched: (C_out, H_out, W_out)) with
    ``H_out = (H - 1)*sh - 2*ph + dh*(kh - 1) + oh + 1`` and likewise W_out (see
    ``arithmetic.conv_transpose_output_size``); float32 if the inputs are float32, else float64.

    >>> x = np.array([[[[1, 0], [2, 3]]]])
    >>> k = np.array([[[[0, 1], [1, 0]]]])
    >>> conv_transpose2d(x, k, stride=2)[0, 0]
    array([[0., 1., 0., 0.],
           [1., 0., 0., 0.],
           [0., 2., 0., 3.],
           [2., 0., 3., 0.]])
    """
    x, w, bias, batched, (sh, sw), (ph, pw), (dh, dw), groups, (H_out, W_out) = \
        transpose_arguments("conv_transpose2d", input, weight, bias, stride, padding,
                            output_padding, groups, dilation)
    N, C_in, H, W = x.shape
    _, C_out_g, kh, kw = w.shape
    C_out = C_out_g * groups
    x_groups = x.reshape(N, groups, C_in // groups, H * W)
    w_groups = w.reshape(groups, C_in // groups, C_out_g, kh, kw)

    # The uncropped output: every copy lands in it. With output_padding > padding the result
    # reaches past it at the bottom / right; those extra rows and columns stay zero.
    H_full = max((H - 1) * sh + dh * (kh - 1) + 1, ph + H_out)
    W_full = max((W - 1) * sw + dw * (kw - 1) + 1, pw + W_out)
    full = np.zeros((N, C_out, H_full, W_full), dtype=x.dtype)
    for a in range(kh):
        for b in range(kw):
            # every input value times tap (a, b) of the kernel, summed over the input channels
            # of its group: (groups, C_out/groups, C_in/groups) @ (N, groups, C_in/groups, H*W)
            copy = np.matmul(w_groups[:, :, :, a, b].transpose(0, 2, 1), x_groups)
            # ... lands at (i*sh + a*dh, j*sw + b*dw): a grid with spacing (sh, sw)
            rows = slice(a * dh, a * dh + (H - 1) * sh + 1, sh)
            cols = slice(b * dw, b * dw + (W - 1) * sw + 1, sw)
            full[:, :, rows, cols] += copy.reshape(N, C_out, H, W)
    out = full[:, :, ph:ph + H_out, pw:pw + W_out]  # crop the padding off each side
    if bias is not None:
        out = out + bias[:, None, None]
    return out if batched else out[0]


def insert_zeros(x, stride):
    """Put ``stride - 1`` zeros between neighbouring pixels of ``x`` (N, C, H, W).

    Returns an array of shape (N, C, (H - 1)*sh + 1, (W - 1)*sw + 1) with
    ``out[:, :, ::sh, ::sw] == x`` and zeros elsewhere.

    >>> insert_zeros(np.array([[[[1, 2], [3, 4]]]]), (2, 2))[0, 0]
    array([[1, 0, 2],
           [0, 0, 0],
           [3, 0, 4]])
    """
    N, C, H, W = x.shape
    sh, sw = stride
    out = np.zeros((N, C, (H - 1) * sh + 1, (W - 1) * sw + 1), dtype=x.dtype)
    out[:, :, ::sh, ::sw] = x
    return out


def pad_or_crop(x, top, bottom, left, right):
    """Zero-pad ``x`` (N, C, H, W) by the given amounts; a negative amount crops instead."""
    x = np.pad(x, ((0, 0), (0, 0), (max(top, 0), max(bottom, 0)),
                   (max(left, 0), max(right, 0))))
    H, W = x.shape[2:]
    return x[:, :, max(-top, 0):H - max(-bottom, 0), max(-left, 0):W - max(-right, 0)]


def conv_transpose2d_as_conv(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                             groups=1, dilation=1):
    """``conv_transpose2d`` computed as an ordinary convolution of a zero-inserted input.

    Same arguments and result as ``conv_transpose2d``, computed in three steps:

    1. insert ``sh - 1`` zeros between rows and ``sw - 1`` between columns of the input;
    2. pad it with ``dh*(kh - 1) - ph`` zeros on top and bottom (plus ``oh`` more at the
       bottom), likewise left and right (a negative amount crops instead);
    3. ``conv2d`` with stride 1, the same dilation and groups, and the kernel flipped
       top-bottom and left-right with its in / out channel axes swapped, shape
       (C_out, C_in / groups, kh, kw).

    Cheap to explain, wasteful to run: most of the products in step 3 are with inserted zeros.

    >>> x = np.array([[[[1, 0], [2, 3]]]])
    >>> k = np.array([[[[0, 1], [1, 0]]]])
    >>> conv_transpose2d_as_conv(x, k, stride=2)[0, 0]
    array([[0., 1., 0., 0.],
           [1., 0., 0., 0.],
           [0., 2., 0., 3.],
           [2., 0., 3., 0.]])
    """
    x, w, bias, batched, stride, (ph, pw), (dh, dw), groups, (H_out, W_out) = \
        transpose_arguments("conv_transpose2d_as_conv", input, weight, bias, stride, padding,
                            output_padding, groups, dilation)
    C_in, C_out_g, kh, kw = w.shape
    # 1. zeros between the input values
    z = insert_zeros(x, stride)
    # 2. pad: the kernel's full span minus one, less the padding; output_padding at the end
    top, left = dh * (kh - 1) - ph, dw * (kw - 1) - pw
    bottom = H_out + dh * (kh - 1) - top - z.shape[2]  # = top + oh
    right = W_out + dw * (kw - 1) - left - z.shape[3]  # = left + ow
    z = pad_or_crop(z, top, bottom, left, right)
    # 3. flip the kernel and swap its in / out axes, group by group
    w_conv = (w[:, :, ::-1, ::-1]
              .reshape(groups, C_in // groups, C_out_g, kh, kw)
              .transpose(0, 2, 1, 3, 4)
              .reshape(groups * C_out_g, C_in // groups, kh, kw))
    out = conv2d(z, w_conv, bias, stride=1, padding=0, dilation=(dh, dw), groups=groups)
    return out if batched else out[0]

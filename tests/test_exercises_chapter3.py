"""Chapter 3 exercises: every reference answer checked independently (the shapes PyTorch's layers
produce, NumPy's padding, autograd), and typical wrong answers fail with a helpful message.
What every chapter's exercises must do is in ``test_exercises_all.py``."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from exercise_catalogue import rejected as _rejected
from scipy.signal import correlate2d

from cnn_lib import arithmetic
from cnn_lib.exercises import chapter3 as ex


def torch_size(n, f, p=0, s=1, d=1):
    return F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, f, f), stride=s, padding=p,
                    dilation=d).shape[-1]


# --------------------------------------------------------------------------- answers, verified


def test_number_answers_against_torch():
    assert ex.q1.answer == torch_size(torch_size(32, 5), 5) == 24
    assert torch_size(40, 7, p=ex.q2.answer) == 40 and ex.q2.answer == 3
    assert ex.q3.answer == torch_size(7, 3, s=2) == 3
    assert ex.q5.answer == torch_size(15, 3, d=2) == 11
    layer = torch.nn.Conv2d(3, 8, 5, stride=2, padding=2)
    out = layer(torch.zeros(1, 3, 64, 64))
    assert list(ex.q6.answer) == list(out.shape[1:]) == [8, 32, 32]
    assert ex.q7.answer == sum(p.numel() for p in layer.parameters()) == 608


def test_q4_only_stride_2_leaves_a_remainder():
    fits = {s: (10 - 3 + 2) % s == 0 for s in (1, 2, 3, 9)}
    assert fits == {1: True, 2: False, 3: True, 9: True}
    assert ex.q4.options[ord(ex.q4.answer) - 97] == "stride 2"
    # PyTorch floors 5.5 to 5, so the last padded row is never read
    assert torch_size(10, 3, p=1, s=2) == 5


def receptive_field_by_autograd(layers):
    size = 512
    x = torch.zeros(1, 1, size, requires_grad=True)
    y = x
    for k, s in layers:
        y = F.conv1d(y, torch.ones(1, 1, k), stride=s)
    y[0, 0, 0].backward()
    reached = torch.nonzero(x.grad[0, 0]).flatten()
    return int(reached.max() - reached.min() + 1)


def test_q8_and_q10_against_autograd():
    assert ex.q8.answer == receptive_field_by_autograd([(3, 1), (3, 2), (3, 1)]) == 9
    for (label, (layers,)), expected in zip(ex.q10.cases, ex.q10.expected_outputs()):
        if layers:
            assert expected == receptive_field_by_autograd(layers), label
        else:
            assert expected == 1


def test_q9_against_torch():
    for (label, (n, f, p, s)), expected in zip(ex.q9.cases, ex.q9.expected_outputs()):
        assert expected == torch_size(n, f, p, s), label
    assert ex.q9.expected_outputs()[2] == 2  # the deck's 2.33, floored


def test_q11_against_scipy_subsampled_and_torch():
    for (label, (X, K, s)), expected in zip(ex.q11.cases, ex.q11.expected_outputs()):
        np.testing.assert_allclose(expected, correlate2d(X, K, mode="valid")[::s, ::s],
                                   err_msg=label)
        out = F.conv2d(torch.tensor(X)[None, None], torch.tensor(K)[None, None], stride=s)
        np.testing.assert_allclose(expected, out[0, 0].numpy(), err_msg=label)


def test_q12_against_numpy_and_torch():
    for (label, (X, p)), expected in zip(ex.q12.cases, ex.q12.expected_outputs()):
        np.testing.assert_array_equal(expected, np.pad(X, p, mode="reflect"), err_msg=label)
        out = F.pad(torch.tensor(X)[None, None], (p,) * 4, mode="reflect")
        np.testing.assert_array_equal(expected, out[0, 0].numpy(), err_msg=label)
    # the statement's example
    np.testing.assert_array_equal(ex.pad_reflect(np.array([[1, 2, 3, 4]] * 3), 2)[2],
                                  [3, 2, 1, 2, 3, 4, 3, 2])


# --------------------------------------------------------------------------- feedback


def test_statements_give_the_expected_type():
    for q in (ex.q1, ex.q2, ex.q3, ex.q5, ex.q7, ex.q8):
        assert "integer" in q.question
    assert "letter" in ex.q4.question and "three integers" in " ".join(ex.q6.question.split())
    assert "(H + 2p, W + 2p)" in ex.q12.question
    assert "integer" in ex.q13.question and "letter" in ex.q14.question
    assert "(H - d*(kh - 1), W - d*(kw - 1))" in ex.q15.question


def test_unlisted_answers_get_a_direction_or_the_rule():
    assert "whole number" in ex.q4.check("b").message or "fits" in ex.q4.check("b").message
    assert ex.q4.check("stride 2").correct is True  # the option's text works too
    assert "too high" in ex.q7.check(1000).message


def test_q9_typical_wrong_code():
    fb = ex.q9.check(lambda n, f, p, s: (n + 2 * p - f) / s + 1)
    assert fb.correct is False and "Round down" in fb.message and "does not fit" in fb.message
    fb = ex.q9.check(lambda n, f, p, s: (n + p - f) // s + 1)
    assert fb.correct is False and "both sides" in fb.message
    fb = ex.q9.check(lambda n, f, p, s: (n - f) // s + 1)  # forgot padding entirely
    assert fb.correct is False and "padding 2" in fb.message
    fb = ex.q9.check(lambda n, f, s: (n - f) // s + 1)
    assert fb.correct is False and "parameters" in fb.message
    assert ex.q9.check(lambda n, f, p, s: int(np.floor((n + 2 * p - f) / s)) + 1).correct


def test_q10_typical_wrong_code():
    fb = ex.q10.check(ex._field_ignoring_strides)
    assert fb.correct is False and "jump" in fb.message and "stride 2" in fb.message
    fb = ex.q10.check(ex._field_with_own_stride)
    assert fb.correct is False and "after adding" in fb.message
    fb = ex.q10.check(lambda layers: 1 + sum(k - 1 for k, s in layers) if layers else None)
    assert fb.correct is False and "“no layers”" in fb.message and "returned None" in fb.message


def test_q11_and_q12_typical_wrong_code():
    fb = ex.q11.check(ex._stride_one_then_too_big)
    assert fb.correct is False and "[::s, ::s]" in fb.message and "stride 2" in fb.message
    fb = ex.q11.check(lambda X, K, s: correlate2d(X, K, mode="valid"))
    assert fb.correct is False and "shape" in fb.message
    assert ex.q11.check(lambda X, K, s: correlate2d(X, K, mode="valid")[::s, ::s]).correct
    for wrong, words in [(ex._pad_replicate, "'replicate'"), (ex._pad_symmetric, "'symmetric'"),
                         (ex._pad_zeros, "zero padding")]:
        fb = ex.q12.check(wrong)
        assert fb.correct is False and words in fb.message
    fb = ex.q12.check(lambda X, p: np.pad(X, p, mode="reflect")[1:])
    assert fb.correct is False and "shape" in fb.message


@pytest.mark.parametrize("q", [ex.q9, ex.q10, ex.q11, ex.q12, ex.q15], ids=lambda q: q.name)
def test_raising_code_gets_a_message_not_a_traceback(q):
    fb = q.check(lambda *args: [][1])
    assert fb.correct is False and "IndexError" in fb.message and "Traceback" not in fb.message


# --------------------------------------------------------------------------- predict, then run


def test_q13_prediction_matches_torch_and_its_experiment(capsys):
    assert ex.q13.answer == torch_size(8, 3, p=1, s=2) == 4
    assert "rounded down" in ex.q13.check(5).message
    assert "only at stride 1" in ex.q13.check(8).message
    assert "forgets the padding" in ex.q13.check(3).message
    assert "not a whole number" in ex.q13.check(4.5).message
    exec(ex.q13.experiment, {})  # noqa: S102
    out = capsys.readouterr().out
    assert "stride 2: 8x8 -> 4x4" in out and "= 4.5)" in out
    # the solution's claim: 'same' padding (F = 3, P = 1) gives ceil(H / S) outputs
    for n in range(3, 20):
        for s in (1, 2, 3, 4):
            assert torch_size(n, 3, p=1, s=s) == -(-n // s)


def reads_of_first_unit(layers, size=11):
    """Input pixels whose gradient reaches output (0, 0) of a stack of (dilation) 3x3 layers."""
    x = torch.zeros(1, 1, size, size, requires_grad=True)
    y = x
    for d in layers:
        y = F.conv2d(y, torch.ones(1, 1, 3, 3), dilation=d)
    y[0, 0, 0, 0].backward()
    return (x.grad[0, 0] != 0).numpy().astype(int)


def test_q14_dilated_reads_against_autograd(capsys):
    expected = np.zeros((11, 11), dtype=int)
    expected[0:5:2, 0:5:2] = 1
    np.testing.assert_array_equal(reads_of_first_unit([2]), expected)
    assert reads_of_first_unit([1, 2])[:7, :7].all() and reads_of_first_unit([1, 2]).sum() == 49
    assert ex.q14.options[ord(ex.q14.answer) - 97].startswith("9 pixels of a 5x5 block")
    exec(ex.q14.experiment, {})  # noqa: S102
    out = capsys.readouterr().out
    assert "[1 0 1 0 1 0 0 0 0]" in out and "reads 9 pixels" in out
    exec(ex.q14.experiment.replace("below = 2, False", "below = 2, True"), {})  # noqa: S102
    assert "reads 49 pixels" in capsys.readouterr().out
    assert "only 9 taps" in ex.q14.check("a").message
    assert "0, 2 and 4" in ex.q14.check("c").message
    assert "interpolate" in ex.q14.check("d").message


def test_q14_options_are_of_similar_length():
    lengths = [len(o) for o in ex.q14.options]
    assert max(lengths) < 1.6 * min(lengths)


def test_q15_against_torch_and_zero_inserted_kernels():
    for (label, (X, K, d)), expected in zip(ex.q15.cases, ex.q15.expected_outputs()):
        out = F.conv2d(torch.tensor(X)[None, None], torch.tensor(K)[None, None], dilation=d)
        np.testing.assert_allclose(expected, out[0, 0].numpy(), err_msg=label)
        big = np.zeros((d * (K.shape[0] - 1) + 1, d * (K.shape[1] - 1) + 1))
        big[::d, ::d] = K
        np.testing.assert_allclose(expected, correlate2d(X, big, mode="valid"), err_msg=label)


# --------------------------------------------------------------------------- a catalogue
# For each function exercise, code a student would write: each wrong one is rejected with a
# message that names the mistake or the failing case; right ones written differently pass.



def _accepted(q, *functions):
    for fn in functions:
        fb = q.check(fn)
        assert fb.correct is True, fb.message


def size_true_division(n, f, p, s):
    return (n + 2 * p - f) / s + 1


def size_one_side(n, f, p, s):
    return (n + p - f) // s + 1


def size_rounded(n, f, p, s):
    return round((n + 2 * p - f) / s) + 1


def size_no_plus_one(n, f, p, s):
    return (n + 2 * p - f) // s


def size_ceil(n, f, p, s):
    import math
    return math.ceil((n + 2 * p - f) / s) + 1


def size_by_counting(n, f, p, s):
    return len(range(0, n + 2 * p - f + 1, s))  # the window's possible starts


def test_q9_catalogue():
    _rejected(ex.q9, size_true_division, "Round down")
    _rejected(ex.q9, size_one_side, "both sides")
    _rejected(ex.q9, size_no_plus_one, "Add 1")
    _rejected(ex.q9, size_ceil, "Round down, not up")
    _rejected(ex.q9, lambda n, f, p, s: (n - f) // s + 1, "Include the padding")
    fb = _rejected(ex.q9, size_rounded, "ResNet's first layer")  # round(111.5) is 112
    assert "expected 112, got 113" in fb.message
    _accepted(ex.q9, size_by_counting, lambda n, f, p, s: int((n + 2 * p - f) / s) + 1,
              lambda n, f, p, s: np.floor(np.float32(n + 2 * p - f) / s) + 1)


def field_product_of_kernels(layers):
    size = 1
    for k, _ in layers:
        size *= k
    return size


def field_starting_at_zero(layers):
    size, jump = 0, 1
    for k, s in layers:
        size += (k - 1) * jump
        jump *= s
    return size


def field_top_down(layers):
    size = 1
    for k, s in reversed(layers):
        size = s * size + (k - s)
    return size


def field_recursive(layers):
    if not layers:
        return 1
    *below, (k, _) = layers
    jump = int(np.prod([s for _, s in below]))
    return field_recursive(below) + (k - 1) * jump


def test_q10_catalogue():
    _rejected(ex.q10, ex._field_ignoring_strides, "running product of the strides")
    _rejected(ex.q10, ex._field_with_own_stride, "after adding the layer's width")
    _rejected(ex.q10, ex._field_kernel_times_jump, "not kernel_size * jump")
    fb = _rejected(ex.q10, field_product_of_kernels, "three 3x3 layers")
    assert "expected 7, got 27" in fb.message
    fb = _rejected(ex.q10, field_starting_at_zero, "one 3x3 layer")
    assert "expected 3, got 2" in fb.message
    _accepted(ex.q10, field_top_down, field_recursive,
              lambda layers: arithmetic.receptive_field(layers).size)


def corr2d_stride_loops(X, K, s, *, rows=None, cols=None, stop_short=False, square=False,
                        column_stride=True):
    kh, kw = K.shape
    if square:
        kw = kh
    H = (X.shape[0] - kh) // s + 1 if rows is None else rows(X.shape[0], kh, s)
    W = (X.shape[1] - kw) // s + 1 if cols is None else cols(X.shape[1], kw, s)
    Y = np.zeros((H, W))
    for i in range(H - stop_short):
        for j in range(W - stop_short):
            c = j * s if column_stride else j
            Y[i, j] = np.sum(X[i * s:i * s + kh, c:c + kw] * K)
    return Y


def test_q11_catalogue():
    _rejected(ex.q11, ex._stride_one_then_too_big, "[::s, ::s]")
    fb = _rejected(ex.q11, lambda X, K, s: corr2d_stride_loops(
        X, K, s, rows=lambda n, k, s: n // s, cols=lambda n, k, s: n // s), "7x7, 3x3 kernel, "
        "stride 1")  # H // s outputs: the last windows are cut short at the edge
    assert "ValueError: operands could not be broadcast" in fb.message
    fb = _rejected(ex.q11, lambda X, K, s: corr2d_stride_loops(X, K, s, stop_short=True),
                   "7x7, 3x3 kernel, stride 1")
    assert "expected 34, got 0" in fb.message
    fb = _rejected(ex.q11, lambda X, K, s: corr2d_stride_loops(X, K, s, square=True),
                   "a non-square 2x3 kernel")
    assert "ValueError" in fb.message
    _rejected(ex.q11, lambda X, K, s: corr2d_stride_loops(X, K, s, column_stride=False),
              "7x7, 3x3 kernel, stride 2")

    def vectorised(X, K, s):
        windows = np.lib.stride_tricks.sliding_window_view(X, K.shape)[::s, ::s]
        return np.einsum("ijab,ab->ij", windows, K)

    def float32_torch(X, K, s):
        x, k = torch.tensor(X, dtype=torch.float32), torch.tensor(K, dtype=torch.float32)
        return F.conv2d(x[None, None], k[None, None], stride=s)[0, 0]

    _accepted(ex.q11, vectorised, float32_torch,
              lambda X, K, s: corr2d_stride_loops(X, K, s).tolist())  # nested lists


def pad_rows_only(X, p):
    return np.concatenate([X[p:0:-1], X, X[-2:-p - 2:-1]], axis=0)


def pad_not_reversed(X, p):
    X = np.asarray(X, dtype=float)
    rows = np.concatenate([X[1:p + 1], X, X[-p - 1:-1]], axis=0)  # mirrored order forgotten
    return np.concatenate([rows[:, 1:p + 1], rows, rows[:, -p - 1:-1]], axis=1)


def pad_by_index(X, p):
    X = np.asarray(X)
    def mirror(n):
        i = np.arange(-p, n + p)
        return np.abs(i) - 2 * np.maximum(i - (n - 1), 0)
    return X[np.ix_(mirror(X.shape[0]), mirror(X.shape[1]))].astype(float)


def pad_by_loops_float32(X, p):
    H, W = X.shape
    out = np.zeros((H + 2 * p, W + 2 * p), dtype=np.float32)
    for r in range(H + 2 * p):
        for c in range(W + 2 * p):
            i, j = abs(r - p), abs(c - p)
            i = 2 * (H - 1) - i if i > H - 1 else i
            j = 2 * (W - 1) - j if j > W - 1 else j
            out[r, c] = X[i, j]
    return out


def test_q12_catalogue():
    _rejected(ex.q12, ex._pad_replicate, "'replicate'")
    _rejected(ex.q12, ex._pad_symmetric, "'symmetric'")
    _rejected(ex.q12, ex._pad_zeros, "zero padding")
    _rejected(ex.q12, ex._pad_circular, "'circular'")
    fb = _rejected(ex.q12, pad_rows_only, "a 3x4 image, p = 2")
    assert "expected shape (7, 8), got shape (7, 4)" in fb.message
    fb = _rejected(ex.q12, pad_not_reversed, "a 3x4 image, p = 2")
    assert "entries are wrong" in fb.message
    _accepted(ex.q12, pad_by_index, pad_by_loops_float32,
              lambda X, p: F.pad(torch.tensor(X)[None, None], (p,) * 4, mode="reflect")[0, 0])


def dilated_loops(X, K, d, *, span=None, stride_instead=False):
    kh, kw = K.shape
    span = span or (lambda k: d * (k - 1) + 1)
    if stride_instead:
        return ex.corr2d_stride(X, K, d)
    Y = np.zeros((X.shape[0] - span(kh) + 1, X.shape[1] - span(kw) + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = sum(K[a, b] * X[i + d * a, j + d * b] for a in range(kh) for b in range(kw))
    return Y


def test_q15_catalogue():
    _rejected(ex.q15, lambda X, K, d: dilated_loops(X, K, d, stride_instead=True),
              "That is a stride of d")
    _rejected(ex.q15, lambda X, K, d: correlate2d(X, K, mode="valid"), "ignored the dilation")
    # taps d + 1 apart (d empty cells between them): the widest kernel no longer fits
    fb = _rejected(ex.q15, lambda X, K, d: ex.corr2d_dilated(X, K, d + 1),
                   "a dilated kernel as wide as the input")
    assert "negative dimensions" in fb.message
    fb = _rejected(ex.q15, lambda X, K, d: dilated_loops(X, K, d, span=lambda k: d * k),
                   "7x7, 3x3 kernel, dilation 2")  # span d*k, right only for d = 1
    assert "expected shape (3, 3), got shape (2, 2)" in fb.message

    def square_only(X, K, d):
        k = K.shape[0]
        n = d * (k - 1) + 1
        return np.array([[np.sum(X[i:i + n:d, j:j + n:d] * K)
                          for j in range(X.shape[1] - n + 1)] for i in range(X.shape[0] - n + 1)])

    fb = _rejected(ex.q15, square_only, "a 2x3 kernel with dilation 2")
    assert "ValueError" in fb.message or "shape" in fb.message

    def zero_inserted(X, K, d):
        big = np.zeros((d * (K.shape[0] - 1) + 1, d * (K.shape[1] - 1) + 1))
        big[::d, ::d] = K
        return correlate2d(X, big, mode="valid")

    def float32_torch(X, K, d):
        x, k = torch.tensor(X, dtype=torch.float32), torch.tensor(K, dtype=torch.float32)
        return F.conv2d(x[None, None], k[None, None], dilation=d)[0, 0].numpy()

    _accepted(ex.q15, zero_inserted, float32_torch, lambda X, K, d: dilated_loops(X, K, d))

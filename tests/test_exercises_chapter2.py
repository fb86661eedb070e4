"""Chapter 2 exercises: every reference answer checked independently (SciPy or brute force),
and typical wrong answers fail with a helpful message. What every chapter's exercises must do
(references pass, placeholders, fuzzed answers never raise) is in ``test_exercises_all.py``."""

import numpy as np
import pytest
from exercise_catalogue import rejected as _rejected
from scipy.signal import convolve2d, correlate2d

from cnn_lib.exercises import chapter2 as ex
from cnn_lib.exercises.core import FunctionExercise

EXERCISES = ex.EXERCISES
FUNCTIONS = [q for q in EXERCISES if isinstance(q, FunctionExercise)]
X = np.array([[1, 2, 0], [0, 1, 3], [2, 1, 0]])
K = np.array([[1, 0], [0, -1]])


# --------------------------------------------------------------------------- answers, verified


def test_q1_q2_against_scipy():
    assert np.array_equal(correlate2d(X, K, mode="valid"), [[0, -1], [-1, 1]])
    assert np.array_equal(ex.q2.answer, [[0, -1], [-1, 1]])
    assert np.array_equal(ex.q3.answer, convolve2d(X, K, mode="valid"))


def test_q3_q4_q7_by_counting():
    positions = [r for r in range(32) if r + 5 <= 32]
    assert ex.q1.answer == len(positions) == 28
    weights = np.zeros((16, 3, 5, 5)).size
    biases = np.zeros(16).size
    assert ex.q6.answer == weights + biases == 1216
    # a dense matrix mapping the 16 inputs to the 4 outputs
    assert ex.q7.answer == np.zeros((2 * 2, 4 * 4)).size == 64


def test_q5_the_right_kernel_responds_to_a_dark_to_bright_edge():
    window = np.array([[0, 0, 9], [0, 0, 9], [0, 0, 9]])
    kernels = {
        "a": np.array([[-1, -1, -1], [0, 0, 0], [1, 1, 1]]),
        "b": np.ones((3, 3)) / 9,
        "c": np.array([[-1, 0, 1]] * 3),
        "d": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
    }
    responses = {letter: float(np.sum(k * window)) for letter, k in kernels.items()}
    assert max(responses, key=responses.get) == ex.q4.answer == "c"
    for letter, k in kernels.items():
        k = k * 9 if letter == "b" else k  # shown as [[1, 1, 1], ...] / 9
        assert str(k.astype(int).tolist()).replace(" ", "") in ex.q4.options[
            ord(letter) - 97
        ].replace(" ", "")


def test_q6_equivariance_holds_numerically():
    rng = np.random.default_rng(0)
    image, kernel = rng.normal(size=(12, 12)), rng.normal(size=(3, 3))
    shifted = np.roll(image, 2, axis=1)
    out, out_shifted = correlate2d(image, kernel, "valid"), correlate2d(shifted, kernel, "valid")
    assert np.allclose(out_shifted[:, 4:], np.roll(out, 2, axis=1)[:, 4:])  # away from borders
    assert not np.allclose(out_shifted, out)  # not invariant
    assert ex.q5.answer == "b"


@pytest.mark.parametrize("q", FUNCTIONS, ids=lambda q: q.name)
def test_function_references_match_an_independent_computation(q):
    for (label, args), expected in zip(q.cases, q.expected_outputs()):
        if q is ex.q8:
            independent = correlate2d(*args, mode="valid")
        elif q is ex.q9:
            k, n = args
            x = np.random.default_rng(1).normal(size=n)
            assert np.allclose(expected @ x, np.correlate(x, k, mode="valid")), label
            independent = np.array(
                [
                    [k[j - i] if 0 <= j - i < len(k) else 0 for j in range(n)]
                    for i in range(n - len(k) + 1)
                ]
            )
        elif q is ex.q15:
            independent = np.convolve(*args, mode="valid")
        elif q is ex.q12:
            Xg, G = args  # autograd's dL/dK for Y = conv2d(X, K), upstream gradient G
            import torch

            Xt = torch.tensor(np.asarray(Xg, dtype=float))[None, None]
            Kt = torch.zeros((1, 1, Xg.shape[0] - G.shape[0] + 1, Xg.shape[1] - G.shape[1] + 1),
                             dtype=torch.float64, requires_grad=True)
            torch.nn.functional.conv2d(Xt, Kt).backward(torch.tensor(G)[None, None])
            independent = Kt.grad[0, 0].numpy()
        else:
            Xc, W, b = args
            independent = np.stack(
                [
                    sum(correlate2d(Xc[c], W[k, c], mode="valid") for c in range(Xc.shape[0]))
                    + b[k]
                    for k in range(W.shape[0])
                ]
            )
        assert np.allclose(expected, independent), label
    assert np.array_equal(ex.q8.expected_outputs()[0], [[4, 3, 4], [2, 4, 3], [2, 3, 4]])
    assert np.array_equal(ex.q8.expected_outputs()[1], [[12, 12, 17], [10, 17, 19], [9, 6, 14]])


def test_q12_typical_wrong_answers():
    flipped = ex.q12.check(lambda X, G: correlate2d(X, np.flip(G), mode="valid"))
    assert flipped.correct is False and "flipped G" in flipped.message
    swapped = ex.q12.check(lambda X, G: correlate2d(G, X, mode="valid"))
    assert swapped.correct is False
    assert "x = [[1..9]]" in swapped.message and "expected 12" in swapped.message
    assert ex.q12.check(lambda X, G: correlate2d(X, G, mode="valid")).correct is True


def test_q13_q14_predictions_match_their_experiments(capsys):
    image = np.full((5, 5), 7.0)
    sharpen = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
    assert ex.q13.answer == 7
    assert np.all(correlate2d(image, sharpen, mode="valid") == 7)
    assert "centre weight" in ex.q13.check(35).message
    assert "edge kernel" in ex.q13.check(0).message
    exec(ex.q13.experiment, {})  # noqa: S102
    out = capsys.readouterr().out
    assert "sharpen        weights sum to 1: every output is 7" in out
    assert "vertical edge  weights sum to 0: every output is 0" in out
    exec(ex.q14.experiment, {})  # noqa: S102
    assert "no whole number of cells" in capsys.readouterr().out
    assert ex.q14.options[ord(ex.q14.answer) - 97].startswith("it is no shifted copy")
    assert "whole-cell" in ex.q14.check("a").message and "pooling" in ex.q14.check("b").message
    assert "divides" in ex.q14.check("d").message
    # the explanations' claim: a shift by 2 pixels moves the output by one cell
    namespace = {}
    exec(ex.q14.experiment.replace("shift = 1 ", "shift = 2 "), namespace)  # noqa: S102
    assert "shifted by 1 cell(s)" in capsys.readouterr().out


def test_q11_by_finite_differences():
    x = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=float)
    w = np.random.default_rng(3).normal(size=(2, 2))
    loss = lambda w: correlate2d(x, w, mode="valid").sum()  # noqa: E731
    grad = np.zeros((2, 2))
    for idx in np.ndindex(2, 2):
        step = np.zeros((2, 2))
        step[idx] = 1e-6
        grad[idx] = (loss(w + step) - loss(w - step)) / 2e-6
    assert np.allclose(grad, [[12, 16], [24, 28]], atol=1e-5)
    assert np.array_equal(ex.q11.answer, [[12, 16], [24, 28]])


# --------------------------------------------------------------------------- the checkers


def test_statements_give_the_expected_type_or_shape():
    for q in (ex.q2, ex.q3, ex.q11):
        assert "2x2" in q.question
    for q in (ex.q1, ex.q6, ex.q7):
        assert "integer" in q.question
    assert "number" in ex.q13.question and "letter" in ex.q14.question
    assert "length n - m + 1" in ex.q15.question
    for q in (ex.q4, ex.q5):
        assert "letter" in q.question
    assert "(H - kh + 1, W - kw + 1)" in ex.q8.question
    assert "(n - m + 1, n)" in ex.q9.question
    assert "(K, height - F + 1, width - F + 1)" in ex.q10.question


def test_unlisted_answers_get_a_direction_or_the_rule():
    assert "too high" in ex.q6.check(5000).message and "too low" in ex.q1.check(20).message


def test_choice_explanations():
    assert "horizontal" in ex.q4.check("a").message
    assert "blur" in ex.q4.check("B").message
    assert "pooling" in ex.q5.check("a").message
    assert "orientation" in ex.q5.check("c").message
    assert ex.q4.check("[[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]").correct is True


# --------------------------------------------------------------------------- typical wrong code


def corr2d_off_by_one(X, K):
    kh, kw = K.shape
    Y = np.zeros((X.shape[0] - kh, X.shape[1] - kw))
    for i in range(X.shape[0] - kh):
        for j in range(X.shape[1] - kw):
            Y[i, j] = np.sum(X[i : i + kh, j : j + kw] * K)
    return Y


def corr2d_flipped(X, K):
    return convolve2d(X, K, mode="valid")


def test_q8_off_by_one_shows_shape_and_input():
    fb = ex.q8.check(corr2d_off_by_one)
    assert fb.correct is False
    assert "shape" in fb.message and "(3, 3)" in fb.message and "(2, 2)" in fb.message
    assert "toy example" in fb.message and "one step early" in fb.message


def test_q8_flipped_kernel_fails_on_the_first_asymmetric_kernel():
    fb = ex.q8.check(corr2d_flipped)
    assert fb.correct is False
    assert "worked example" in fb.message and "toy example" not in fb.message  # toy K is symmetric
    assert "expected 12, got 18" in fb.message and "flipped" in fb.message


def test_q8_a_float_or_int_result_and_list_inputs_are_fine():
    assert (
        ex.q8.check(lambda X, K: correlate2d(X, K, "valid").astype(int)).correct is False
    )  # truncated
    assert ex.q8.check(lambda X, K: correlate2d(X, K, "valid").tolist()).correct is True


def test_q9_typical_wrong_answers():
    fb = ex.q9.check(lambda k, n: ex.conv_matrix_1d(k, n).T)
    assert fb.correct is False and "transpose" in fb.message and "shape" in fb.message
    fb = ex.q9.check(lambda k, n: ex.conv_matrix_1d(k[::-1], n))
    assert fb.correct is False and "flipped" in fb.message and "3-tap" in fb.message
    fb = ex.q9.check(lambda k, n: np.zeros((n - len(k), n)))
    assert fb.correct is False and "shape" in fb.message


def test_q10_forgotten_bias_is_named():
    fb = ex.q10.check(lambda X, W, b: ex.conv2d_multi(X, W, 0 * b))
    assert fb.correct is False and "bias" in fb.message
    fb = ex.q10.check(lambda X, W, b: ex.conv2d_multi(X, W, b)[0])
    assert fb.correct is False and "shape" in fb.message


def test_q10_summing_only_the_first_channel_fails_on_a_multichannel_case():
    def first_channel_only(X, W, b):
        return ex.conv2d_multi(X[:1], W[:, :1], b)

    fb = ex.q10.check(first_channel_only)
    assert fb.correct is False and "3 channels" in fb.message


def test_a_function_that_mutates_its_input_cannot_spoil_later_cases():
    def corr2d_wrecking(X, K):
        Y = correlate2d(X, K, mode="valid")
        X[...] = 0
        K[...] = 0
        return Y

    assert ex.q8.check(corr2d_wrecking).correct is True
    assert ex.q8.check(ex.corr2d).correct is True


def test_misbehaving_functions_get_messages():
    def corr2d(X, K): ...

    assert ex.q8.check(corr2d).correct is None
    assert "still `...`" in ex.q8.check(corr2d).message

    def corr2d(X, K):
        Y = correlate2d(X, K, mode="valid")  # noqa: F841 - computed, not returned

    fb = ex.q8.check(corr2d)
    assert fb.correct is False and "returned None" in fb.message
    fb = ex.q8.check(lambda X, K: X.sum() / 0 if False else 1 // 0)
    assert fb.correct is False and "ZeroDivisionError" in fb.message and "toy example" in fb.message
    assert "Traceback" not in fb.message
    assert "not an array of numbers" in ex.q8.check(lambda X, K: "nope").message
    assert "parameters" in ex.q8.check(lambda X: X).message
    assert "parameters" in ex.q10.check(lambda X, W: X).message
    assert "function itself" in ex.q8.check(ex.corr2d(X, K)).message


# --------------------------------------------------------------------------- a catalogue
# For each function exercise, code a student would write: each wrong one is rejected with a
# message that names the mistake or the failing case; right ones written differently pass.



def corr2d_zeros_like(X, K):
    kh, kw = K.shape
    Y = np.zeros_like(X)[: X.shape[0] - kh + 1, : X.shape[1] - kw + 1]
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = np.sum(X[i:i + kh, j:j + kw] * K)
    return Y


def corr2d_mean(X, K):
    kh, kw = K.shape
    Y = np.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = np.mean(X[i:i + kh, j:j + kw] * K)
    return Y


def corr2d_square_kernel(X, K):
    k = K.shape[0]
    Y = np.zeros((X.shape[0] - k + 1, X.shape[1] - k + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = np.sum(X[i:i + k, j:j + k] * K)
    return Y


def corr2d_rows_and_columns_mixed(X, K):
    kh, kw = K.shape
    Y = np.zeros((X.shape[1] - kw + 1, X.shape[0] - kh + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = np.sum(X[j:j + kh, i:i + kw] * K)
    return Y


def corr2d_vectorised(X, K):
    windows = np.lib.stride_tricks.sliding_window_view(X, K.shape)
    return np.einsum("ijab,ab->ij", windows, K)


def corr2d_float32(X, K):
    return corr2d_vectorised(np.asarray(X, np.float32), np.asarray(K, np.float32))


def test_q8_catalogue():
    _rejected(ex.q8, corr2d_off_by_one, "one step early")
    _rejected(ex.q8, corr2d_flipped, "true convolution")
    _rejected(ex.q8, corr2d_zeros_like, "np.zeros_like(X)")
    _rejected(ex.q8, corr2d_mean, "np.mean divides each sum")
    fb = _rejected(ex.q8, corr2d_square_kernel, "a non-square input and kernel")
    assert "ValueError" in fb.message
    fb = _rejected(ex.q8, corr2d_rows_and_columns_mixed, "the toy example")
    assert "got [[4, 2, 2], [3, 4, 3], [4, 3, 4]]" in fb.message  # the transpose
    for right in (corr2d_vectorised, corr2d_float32,
                  lambda X, K: ex.corr2d(np.asarray(X).tolist(), np.asarray(K).tolist()).tolist()):
        fb = ex.q8.check(right)
        assert fb.correct is True, fb.message


def conv_matrix_transposed(k, n):
    M = np.zeros((n, n - len(k) + 1))
    for i in range(n - len(k) + 1):
        M[i:i + len(k), i] = k
    return M


def conv_matrix_flipped(k, n):
    M = np.zeros((n - len(k) + 1, n))
    for i in range(n - len(k) + 1):
        M[i, i:i + len(k)] = k[::-1]
    return M


def conv_matrix_one_row_short(k, n):
    M = np.zeros((n - len(k), n))
    for i in range(n - len(k)):
        M[i, i:i + len(k)] = k
    return M


def conv_matrix_square(k, n):
    M = np.zeros((n, n))
    for i in range(n):
        row = k[: n - i]
        M[i, i:i + len(row)] = row
    return M


def conv_matrix_wrong_start(k, n):
    M = np.zeros((n - len(k) + 1, n))
    for i in range(n - len(k) + 1):
        M[i, i + 1:i + 1 + len(k)] = k[: n - i - 1]
    return M


def conv_matrix_by_identity(k, n):
    eye = np.eye(n, dtype=np.float32)
    return np.stack([np.correlate(e, np.float32(k), mode="valid") for e in eye], axis=1)


def conv_matrix_from_diagonals(k, n):
    m = len(k)
    return sum(k[j] * np.eye(n - m + 1, n, j) for j in range(m))


def test_q9_catalogue():
    _rejected(ex.q9, conv_matrix_transposed, "returned the transpose")
    _rejected(ex.q9, conv_matrix_flipped, "flipped kernel")
    _rejected(ex.q9, conv_matrix_one_row_short, "lacks its last row")
    _rejected(ex.q9, conv_matrix_square, "its last m - 1 rows")
    _rejected(ex.q9, conv_matrix_wrong_start, "a 3-tap kernel")
    for right in (conv_matrix_by_identity, conv_matrix_from_diagonals):
        fb = ex.q9.check(right)
        assert fb.correct is True, fb.message


def conv2d_multi_loops(X, W, b, *, channel_sum=np.sum, bias_times=lambda C: 1, flip=False,
                       channels=None):
    K, C, F, _ = W.shape
    out = np.zeros((K, X.shape[1] - F + 1, X.shape[2] - F + 1))
    for k in range(K):
        for i in range(out.shape[1]):
            for j in range(out.shape[2]):
                w = W[k, :, ::-1, ::-1] if flip else W[k]
                used = slice(None) if channels is None else slice(0, channels)
                per_channel = [np.sum(X[c, i:i + F, j:j + F] * w[c]) for c in range(C)][used]
                out[k, i, j] = channel_sum(per_channel) + b[k] * bias_times(C)
    return out


def test_q10_catalogue():
    _rejected(ex.q10, lambda X, W, b: conv2d_multi_loops(X, W, 0 * b), "except the bias")
    _rejected(ex.q10, lambda X, W, b: conv2d_multi_loops(X, W, b, flip=True), "flipped")
    _rejected(ex.q10, lambda X, W, b: conv2d_multi_loops(X, W, b, channel_sum=np.mean),
              "averaged over the input channels")
    _rejected(ex.q10, lambda X, W, b: conv2d_multi_loops(X, W, b, bias_times=lambda C: C),
              "once per input channel")
    _rejected(ex.q10, lambda X, W, b: conv2d_multi_loops(X, W, b, channels=1), "3 channels")

    def square_image(X, W, b):
        F = W.shape[2]
        size = X.shape[1] - F + 1
        return np.stack([[[np.sum(X[:, i:i + F, j:j + F] * W[k]) + b[k] for j in range(size)]
                          for i in range(size)] for k in range(len(W))])

    fb = _rejected(ex.q10, square_image, "a 1x1 convolution (F=1)")
    assert "expected shape (3, 3, 4), got shape (3, 3, 3)" in fb.message

    def by_einsum(X, W, b):
        windows = np.lib.stride_tricks.sliding_window_view(X, W.shape[2:], axis=(1, 2))
        return np.einsum("cijab,kcab->kij", windows, W) + b[:, None, None]

    def by_torch_float32(X, W, b):
        import torch

        as_t = lambda a: torch.tensor(np.asarray(a), dtype=torch.float32)  # noqa: E731
        return torch.nn.functional.conv2d(as_t(X)[None], as_t(W), as_t(b))[0]

    for right in (by_einsum, by_torch_float32):
        fb = ex.q10.check(right)
        assert fb.correct is True, fb.message


def test_q12_catalogue():
    _rejected(ex.q12, lambda X, G: correlate2d(X, np.flip(G), mode="valid"), "flipped G")
    _rejected(ex.q12, lambda X, G: correlate2d(X, G, mode="valid") / G.size, "np.mean divides")
    _rejected(ex.q12, lambda X, G: correlate2d(X, np.ones_like(G), mode="valid"), "left G out")
    fb = _rejected(ex.q12, lambda X, G: correlate2d(G, X, mode="valid"), "x = [[1..9]]")
    assert "expected 12" in fb.message
    fb = _rejected(ex.q12, lambda X, G: correlate2d(X, G, mode="valid").T, "x = [[1..9]]")
    assert "expected 16, got 24" in fb.message
    _rejected(ex.q12, lambda X, G: correlate2d(X, G, mode="same")[:2, :2], "a 6x7 input")

    def by_sums(X, G):
        kh, kw = X.shape[0] - G.shape[0] + 1, X.shape[1] - G.shape[1] + 1
        return [[float(np.sum(G * X[a:a + G.shape[0], b:b + G.shape[1]])) for b in range(kw)]
                for a in range(kh)]

    for right in (by_sums, lambda X, G: corr2d_float32(X, G)):
        fb = ex.q12.check(right)
        assert fb.correct is True, fb.message


def convolve1d_correlate(x, w):
    m = len(w)
    return np.array([sum(w[a] * x[t + a] for a in range(m)) for t in range(len(x) - m + 1)])


def convolve1d_full(x, w):
    return np.convolve(x, w)


def convolve1d_one_short(x, w):
    m = len(w)
    y = np.zeros(len(x) - m)
    for t in range(len(x) - m):
        for a in range(m):
            y[t] += w[a] * x[t + m - 1 - a]
    return y


def convolve1d_mean(x, w):
    m = len(w)
    return np.array([np.mean(w[::-1] * x[t:t + m]) for t in range(len(x) - m + 1)])


def convolve1d_zeros_like(x, w):
    m = len(w)
    y = np.zeros_like(x)[: len(x) - m + 1]
    for t in range(len(y)):
        y[t] = np.sum(w[::-1] * x[t:t + m])
    return y


def convolve1d_same(x, w):
    return np.convolve(x, w, mode="same")


def test_q15_catalogue():
    _rejected(ex.q15, convolve1d_correlate, "cross-correlation (np.correlate)")
    _rejected(ex.q15, convolve1d_full, "full convolution")
    _rejected(ex.q15, convolve1d_mean, "np.mean divides by m")
    fb = _rejected(ex.q15, convolve1d_one_short, "the ship's weights")
    assert "expected shape (4,), got shape (3,)" in fb.message
    _rejected(ex.q15, convolve1d_zeros_like, "integer readings, fractional weights")
    fb = _rejected(ex.q15, convolve1d_same, "the ship's weights")
    assert "wrong shape" in fb.message

    def by_flipped_correlation(x, w):
        return np.correlate(np.asarray(x, np.float32), np.asarray(w, np.float32)[::-1], "valid")

    def by_lists(x, w):
        x, w = list(x), list(w)
        m = len(w)
        return [sum(w[a] * x[t + m - 1 - a] for a in range(m)) for t in range(len(x) - m + 1)]

    for right in (by_flipped_correlation, by_lists):
        fb = ex.q15.check(right)
        assert fb.correct is True, fb.message

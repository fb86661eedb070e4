"""Chapter 2 exercises: every reference answer checked independently (SciPy or brute force),
and typical wrong answers fail with a helpful message. What every chapter's exercises must do
(references pass, placeholders, fuzzed answers never raise) is in ``test_exercises_all.py``."""

import numpy as np
import pytest
from scipy.signal import convolve2d, correlate2d

from cnn_lib.exercises import chapter2 as ex
from cnn_lib.exercises.core import FunctionExercise

EXERCISES = [getattr(ex, f"q{i}") for i in range(1, 13)]
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
    for q in (ex.q4, ex.q5):
        assert "letter" in q.question
    assert "(H - kh + 1, W - kw + 1)" in ex.q8.question
    assert "(n - m + 1, n)" in ex.q9.question
    assert "(K, height - F + 1, width - F + 1)" in ex.q10.question


def test_common_mistakes_have_their_message():
    assert "true convolution" in ex.q2.check(ex.q3.answer).message
    assert "cross-correlation of Exercise 2.2" in ex.q3.check(ex.q2.answer).message
    assert "off by one" in ex.q1.check(27).message
    assert "padding" in ex.q1.check(32).message
    assert "biases" in ex.q6.check(1200).message
    assert "depth" in ex.q6.check(416).message
    assert "per filter" in ex.q6.check(1203).message
    assert "shared" in ex.q7.check(9).message
    assert "all 16 inputs" in ex.q7.check(36).message
    assert "shape of w" in ex.q11.check([[1, 2, 1], [2, 4, 2], [1, 2, 1]]).message
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
    assert "returned None" in ex.q8.check(corr2d).message
    fb = ex.q8.check(lambda X, K: X.sum() / 0 if False else 1 // 0)
    assert fb.correct is False and "ZeroDivisionError" in fb.message and "toy example" in fb.message
    assert "Traceback" not in fb.message
    assert "not an array of numbers" in ex.q8.check(lambda X, K: "nope").message
    assert "parameters" in ex.q8.check(lambda X: X).message
    assert "parameters" in ex.q10.check(lambda X, W: X).message
    assert "function itself" in ex.q8.check(ex.corr2d(X, K)).message

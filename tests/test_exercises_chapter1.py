"""Chapter 1 exercises: every reference answer checked independently (cnn_lib.arithmetic,
PyTorch's layers and topk), and typical wrong answers fail with a helpful message. What every
chapter's exercises must do is in ``test_exercises_all.py``."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from exercise_catalogue import rejected as _own_diagnosis_only

from cnn_lib import arithmetic
from cnn_lib.exercises import chapter1 as ex


def test_counts_against_arithmetic_and_torch():
    assert ex.q1.answer == arithmetic.linear_params(100 * 100, 1000, bias=False)
    assert ex.q2.answer == arithmetic.linear_params(64 * 64 * 3, 1, bias=False) == 12_288
    assert ex.q3.answer == arithmetic.mlp_params([784, 100, 100, 10]) == 89_400
    small, large = torch.nn.Conv2d(1, 10, 3), torch.nn.Conv2d(1, 10, 3)
    small(torch.zeros(1, 1, 48, 64))
    large(torch.zeros(1, 1, 153, 204))  # any image size, the same weights
    assert sum(p.numel() for p in large.parameters()) == 100
    assert ex.q4.options[ord(ex.q4.answer) - 97].startswith("the same, 100")


def test_q10_q11_predictions_match_their_experiments(capsys):
    ratio = arithmetic.mlp_params([1280 * 960, 100, 100, 2]) / arithmetic.mlp_params(
        [640 * 480, 100, 100, 2])
    assert ex.q10.answer == pytest.approx(ratio) and ex.q10.check(4).correct is True
    assert ex.q10.check(4.0).correct is True and ex.q10.check(3.999).correct is True
    assert "area" in ex.q10.check(2).message
    assert "convolution layer" in ex.q10.check(1).message
    exec(ex.q10.experiment, {})  # noqa: S102
    assert "3.9990 times the first" in capsys.readouterr().out
    exec(ex.q11.experiment, {})  # noqa: S102
    out = capsys.readouterr().out
    assert "template score 1," in out and "scan maximum 5 at window (2, 4)" in out
    assert ex.q11.options[ord(ex.q11.answer) - 97].startswith("the template's score drops")
    for letter in "acd":
        assert ex.q11.check(letter).correct is False
    assert "pinned" in ex.q11.check("a").message
    assert "every window" in ex.q11.check("c").message


def test_q5_template_matching():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(3, 16))
    images = rng.normal(size=(50, 16))
    images /= np.linalg.norm(images, axis=1, keepdims=True)  # the same "brightness"
    template = W[1] / np.linalg.norm(W[1])
    best = np.argmax(images @ W[1])
    assert np.argmax(images @ template) == best  # the most template-like image wins
    assert ex.q5.answer == "a" and ex.q6.answer == "b"
    assert set(ex.q5.explanations) == set("bcd") and "class average" in ex.q5.check("b").message


def test_function_references_independently():
    for (label, (sizes,)), expected in zip(ex.q7.cases, ex.q7.expected_outputs()):
        layers = [torch.nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])]
        assert expected == sum(p.numel() for layer in layers for p in layer.parameters()), label
    for (label, (X, W1, b1, w2, b2)), expected in zip(ex.q8.cases, ex.q8.expected_outputs()):
        x = torch.tensor(X, dtype=torch.float64)[None, None]
        hidden = F.relu(F.conv2d(x, torch.tensor(W1).reshape(-1, 1, 3, 3), torch.tensor(b1)))
        out = F.conv2d(hidden, torch.tensor(w2).reshape(1, -1, 1, 1)) + b2  # a 1x1 conv
        np.testing.assert_allclose(expected, out[0, 0].numpy(), err_msg=label)
    for (label, (scores, labels)), expected in zip(ex.q9.cases, ex.q9.expected_outputs()):
        top5 = torch.topk(torch.tensor(scores), 5, dim=1).indices.numpy()
        wrong = np.mean([y not in row for row, y in zip(top5, labels)])
        assert expected == pytest.approx(wrong), label
    # the first case tells the top-5 error (1 of 3: the 2nd label comes 6th) from the top-1
    # error (3 of 3) and from the top-5 accuracy (2 of 3)
    assert ex.q9.expected_outputs()[0] == pytest.approx(1 / 3)
    assert ex._top1_error(*ex.q9.cases[0][1]) == 1.0
    assert ex.q7.expected_outputs()[2] == 30_730_200 + 202  # the decks' count plus biases
    for (label, (X, P)), expected in zip(ex.q12.cases, ex.q12.expected_outputs()):
        scores = F.conv2d(torch.tensor(X, dtype=torch.float64)[None, None],
                          torch.tensor(P, dtype=torch.float64)[None, None])[0, 0].numpy()
        first = np.unravel_index(np.argmax(scores), scores.shape)  # argmax: the first maximum
        assert tuple(expected) == first, label
    # the tie, blank and negative cases separate the tie-breaking and the starting score
    assert [tuple(o) for o in ex.q12.expected_outputs()[3:6]] == [(0, 6), (0, 0), (2, 2)]


def test_a_diagnosis_also_names_the_failing_cases():
    fb = ex.q9.check(ex._top1_error)
    assert fb.correct is False and "top-1" in fb.message and "3 examples" in fb.message


@pytest.mark.parametrize("q", [ex.q7, ex.q8, ex.q9, ex.q12], ids=lambda q: q.name)
def test_raising_code_gets_a_message_not_a_traceback(q):
    fb = q.check(lambda *args: 1 / 0)
    assert fb.correct is False and "ZeroDivisionError" in fb.message


# --------------------------------------------------------------------------- typical wrong code
# For each function exercise, code a student would write: each wrong one is rejected with a
# message that names the failing case or the mistake; right ones written differently pass.



def mlp_params_no_bias(sizes):
    total = 0
    for a, b in zip(sizes, sizes[1:]):
        total += a * b
    return total


def mlp_params_input_biases(sizes):
    return sum(sizes[i] * sizes[i + 1] + sizes[i] for i in range(len(sizes) - 1))


def mlp_params_one_short(sizes):
    total = 0
    for i in range(len(sizes) - 2):
        total += sizes[i] * sizes[i + 1] + sizes[i + 1]
    return total


def mlp_params_first_layer_only(sizes):
    return sizes[0] * sizes[1] + sizes[1] if len(sizes) > 1 else 0


def mlp_params_all_biases(sizes):
    return sum(a * b for a, b in zip(sizes, sizes[1:])) + sum(sizes)


def mlp_params_vectorised(sizes):
    sizes = np.asarray(sizes, dtype=np.int64)
    return int(sizes[:-1] @ sizes[1:] + sizes[1:].sum())


def mlp_params_float(sizes):
    return float(sum((a + 1.0) * b for a, b in zip(sizes[:-1], sizes[1:])))


def test_q7_catalogue():
    _own_diagnosis_only(ex.q7, mlp_params_no_bias, "Add the biases")
    _own_diagnosis_only(ex.q7, mlp_params_input_biases, "belong to its outputs")
    _own_diagnosis_only(ex.q7, mlp_params_one_short, "misses the last layer")
    fb = _own_diagnosis_only(ex.q7, mlp_params_first_layer_only, "784 -> 100 -> 10")
    assert "expected 79510, got 78500" in fb.message
    fb = _own_diagnosis_only(ex.q7, mlp_params_all_biases, "one layer, 4 inputs, 3 outputs")
    assert "expected 15, got 19" in fb.message
    for right in (mlp_params_vectorised, mlp_params_float, lambda sizes: ex.mlp_params(
            list(map(float, sizes)))):
        assert ex.q7.check(right).correct is True


def scan_one_short(X, W1, b1, w2, b2):
    out = np.zeros((X.shape[0] - 3, X.shape[1] - 3))
    for i in range(X.shape[0] - 3):
        for j in range(X.shape[1] - 3):
            out[i, j] = w2 @ np.maximum(W1 @ X[i:i + 3, j:j + 3].ravel() + b1, 0) + b2
    return out


def scan_square_only(X, W1, b1, w2, b2):
    n = X.shape[0] - 2
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            out[i, j] = w2 @ np.maximum(W1 @ X[i:i + 3, j:j + 3].ravel() + b1, 0) + b2
    return out


def scan_relu_before_bias(X, W1, b1, w2, b2):
    out = np.zeros((X.shape[0] - 2, X.shape[1] - 2))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = w2 @ (np.maximum(W1 @ X[i:i + 3, j:j + 3].ravel(), 0) + b1) + b2
    return out


def scan_without_relu(X, W1, b1, w2, b2):
    out = np.zeros((X.shape[0] - 2, X.shape[1] - 2))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = w2 @ (W1 @ X[i:i + 3, j:j + 3].ravel() + b1) + b2
    return out


def scan_column_major(X, W1, b1, w2, b2):
    out = np.zeros((X.shape[0] - 2, X.shape[1] - 2))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            v = X[i:i + 3, j:j + 3].ravel(order="F")
            out[i, j] = w2 @ np.maximum(W1 @ v + b1, 0) + b2
    return out


def scan_vectorised(X, W1, b1, w2, b2):
    windows = np.lib.stride_tricks.sliding_window_view(np.asarray(X, dtype=float), (3, 3))
    hidden = np.maximum(np.einsum("ijab,hab->ijh", windows, W1.reshape(-1, 3, 3)) + b1, 0)
    return hidden @ w2 + b2


def scan_float32(X, W1, b1, w2, b2):
    X, W1, b1, w2 = (np.asarray(a, dtype=np.float32) for a in (X, W1, b1, w2))
    out = np.zeros((X.shape[0] - 2, X.shape[1] - 2), dtype=np.float32)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = w2 @ np.maximum(W1 @ X[i:i + 3, j:j + 3].ravel() + b1, 0) + b2
    return out


def test_q8_catalogue():
    _own_diagnosis_only(ex.q8, scan_without_relu, "Apply the ReLU")
    _own_diagnosis_only(ex.q8, scan_column_major, "row by row")
    _own_diagnosis_only(ex.q8, lambda X, W1, b1, w2, b2: ex.scan_mlp(X, W1, 0 * b1, w2, b2),
                        "biases b1")
    _own_diagnosis_only(ex.q8, lambda X, W1, b1, w2, b2: ex.scan_mlp(X, W1, b1, w2, 0),
                        "output bias b2")
    _own_diagnosis_only(ex.q8, lambda *a: np.maximum(ex.scan_mlp(*a), 0), "output unit is linear")
    fb = _own_diagnosis_only(ex.q8, scan_one_short, "a 5x5 ramp")
    assert "expected shape (3, 3), got shape (2, 2)" in fb.message
    fb = _own_diagnosis_only(ex.q8, scan_square_only, "a random 6x7 image")
    assert "expected shape (4, 5), got shape (4, 4)" in fb.message
    _own_diagnosis_only(ex.q8, scan_relu_before_bias, "a 5x5 ramp")
    for right in (scan_vectorised, scan_float32,
                  lambda X, W1, b1, w2, b2: ex.scan_mlp(np.asarray(X).tolist(), W1, b1, w2,
                                                        b2).tolist()):
        fb = ex.q8.check(right)
        assert fb.correct is True, fb.message


def top1_error(scores, labels):
    return np.mean(scores.argmax(axis=1) != labels)


def top5_accuracy(scores, labels):
    top5 = np.argsort(-scores, axis=1)[:, :5]
    return np.mean([y in row for row, y in zip(top5, labels)])


def top5_ascending(scores, labels):
    top5 = np.argsort(scores, axis=1)[:, :5]
    return np.mean([y not in row for row, y in zip(top5, labels)])


def top5_misses(scores, labels):
    top5 = np.argsort(-scores, axis=1)[:, :5]
    return sum(y not in row for row, y in zip(top5, labels))


def top4_error(scores, labels):
    top = np.argsort(-scores, axis=1)[:, :4]
    return np.mean([y not in row for row, y in zip(top, labels)])


def top5_error_vectorised(scores, labels):
    scores, labels = np.asarray(scores, dtype=np.float32), np.asarray(labels)
    own = scores[np.arange(len(labels)), labels]
    return np.float32(np.mean((scores > own[:, None]).sum(axis=1) >= 5))


def top5_error_loops(scores, labels):
    misses = 0
    for row, y in zip(list(scores), list(labels)):
        best = sorted(range(len(row)), key=lambda c: -row[c])[:5]
        misses += int(y) not in best
    return misses / len(labels)


def test_q9_catalogue():
    fb = _own_diagnosis_only(ex.q9, top1_error, "top-1 error")
    assert "3 examples" in fb.message
    _own_diagnosis_only(ex.q9, top5_accuracy, "1 minus")
    _own_diagnosis_only(ex.q9, top5_ascending, "lowest scores")
    _own_diagnosis_only(ex.q9, top5_misses, "divide by the number of examples")
    fb = _own_diagnosis_only(ex.q9, top4_error, "random scores, 10 classes")
    assert "expected 0.35, got 0.4" in fb.message
    for right in (top5_error_vectorised, top5_error_loops):
        assert ex.q9.check(right).correct is True


def test_q9_mistakes_are_told_apart():
    """No mistake's outputs equal another's on every case, so none gets another's diagnosis;
    and every mistake differs from the reference."""
    outputs = {fn.__name__: [np.asarray(fn(*args)) for _, args in ex.q9.cases]
               for fn, _ in ex.q9.common_mistakes}
    outputs["reference"] = ex.q9.expected_outputs()
    names = list(outputs)
    for a in names:
        for b in names[names.index(a) + 1:]:
            assert not all(np.allclose(x, y) for x, y in zip(outputs[a], outputs[b])), (a, b)


def best_window_loops_one_short(X, P):
    ph, pw = P.shape
    best, where = -np.inf, (0, 0)
    for i in range(X.shape[0] - ph):
        for j in range(X.shape[1] - pw):
            score = np.sum(X[i:i + ph, j:j + pw] * P)
            if score > best:
                best, where = score, (i, j)
    return where


def best_window_square(X, P):
    p = P.shape[0]
    best, where = -np.inf, (0, 0)
    for i in range(X.shape[0] - p + 1):
        for j in range(X.shape[1] - p + 1):
            score = np.sum(X[i:i + p, j:j + p] * P)
            if score > best:
                best, where = score, (i, j)
    return where


def best_window_geq(X, P):
    ph, pw = P.shape
    best, where = -np.inf, (0, 0)
    for i in range(X.shape[0] - ph + 1):
        for j in range(X.shape[1] - pw + 1):
            score = np.sum(X[i:i + ph, j:j + pw] * P)
            if score >= best:
                best, where = score, (i, j)
    return where


def best_window_from_zero(X, P):
    ph, pw = P.shape
    best, where = 0, (0, 0)
    for i in range(X.shape[0] - ph + 1):
        for j in range(X.shape[1] - pw + 1):
            score = np.sum(X[i:i + ph, j:j + pw] * P)
            if score > best:
                best, where = score, (i, j)
    return where


def best_window_unravel_X(X, P):
    scores = np.lib.stride_tricks.sliding_window_view(X, P.shape) * P
    return np.unravel_index(np.argmax(scores.sum(axis=(2, 3))), X.shape)


def best_window_columns_first(X, P):
    scores = (np.lib.stride_tricks.sliding_window_view(X, P.shape) * P).sum(axis=(2, 3))
    i, j = np.unravel_index(np.argmax(scores), scores.shape)
    return j, i


def best_window_centre(X, P):
    i, j = best_window_columns_first(X, P)[::-1]
    return i + P.shape[0] // 2, j + P.shape[1] // 2


def best_window_argmin(X, P):
    scores = (np.lib.stride_tricks.sliding_window_view(X, P.shape) * P).sum(axis=(2, 3))
    return np.unravel_index(np.argmin(scores), scores.shape)


def best_window_vectorised(X, P):
    scores = (np.lib.stride_tricks.sliding_window_view(X, P.shape) * P).sum(axis=(2, 3))
    return tuple(int(v) for v in np.unravel_index(np.argmax(scores), scores.shape))


def best_window_lists(X, P):
    X, P = np.asarray(X).tolist(), np.asarray(P).tolist()
    ph, pw = len(P), len(P[0])
    scores = {(i, j): sum(X[i + a][j + b] * P[a][b] for a in range(ph) for b in range(pw))
              for i in range(len(X) - ph + 1) for j in range(len(X[0]) - pw + 1)}
    return list(max(scores, key=lambda ij: (scores[ij], -ij[0], -ij[1])))


def test_q12_catalogue():
    fb = _own_diagnosis_only(ex.q12, best_window_loops_one_short,
                             "a 2x3 pattern on a 5x7 image")
    assert "Expected [0, 4],\n     got [2, 3]" in fb.message
    fb = _own_diagnosis_only(ex.q12, best_window_square, "a 2x3 pattern on a 5x7 image")
    assert "ValueError" in fb.message
    fb = _own_diagnosis_only(ex.q12, best_window_geq, "strictly larger")
    assert "a tie: the pattern twice" in fb.message
    _own_diagnosis_only(ex.q12, best_window_from_zero, "every score is negative")
    _own_diagnosis_only(ex.q12, best_window_unravel_X, "shape of the score map")
    _own_diagnosis_only(ex.q12, best_window_columns_first, "Rows first")
    _own_diagnosis_only(ex.q12, best_window_centre, "not its centre")
    _own_diagnosis_only(ex.q12, best_window_argmin, "the corner of section 5")
    for right in (best_window_vectorised, best_window_lists,
                  lambda X, P: ex.best_window(X.astype(np.float32), P.astype(np.float32))):
        fb = ex.q12.check(right)
        assert fb.correct is True, fb.message

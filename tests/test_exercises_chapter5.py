"""Chapter 5 exercises: every reference answer checked independently (PyTorch's layers,
autograd and batch_norm), and typical wrong answers fail with a helpful message. What every
chapter's exercises must do is in ``test_exercises_all.py``."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from cnn_lib import models
from cnn_lib.exercises import chapter5 as ex


def test_counts_and_shapes_against_torch():
    model = models.SimpleCNN()
    assert ex.q1.answer == sum(p.numel() for p in model.conv1.parameters())
    rows, _ = models.summary(model, (1, 28, 28))
    assert list(ex.q2.answer) == list(rows[3]["output"])  # after the second pooling
    features = nn.Sequential(model.conv1, nn.ReLU(), nn.MaxPool2d(2), model.conv2, nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten())
    assert ex.q3.answer == features(torch.zeros(1, 1, 32, 32)).shape[1] == 1024
    with torch.device("meta"):
        vgg = models.VGG16()
    assert ex.q4.answer == sum(p.numel() for p in vgg.classifier[0].parameters())
    assert ex.q5.answer == "b" and ex.q6.answer == "b"
    assert 480 * 9 * 128 == 552_960 and 480 * 96 + 96 * 9 * 128 == 156_672  # q6's solution


def count(model):
    return sum(p.numel() for p in model.parameters())


def test_predict_then_run_answers_against_torch():
    with_bn = models.ResidualStack(blocks=1, channels=16, batch_norm=True)
    without = models.ResidualStack(blocks=1, channels=16, batch_norm=False)
    assert ex.q10.answer == count(with_bn) - count(without) == 96
    buffers = sum(b.numel() for b in with_bn.buffers())
    assert 96 + buffers - 3 in ex.q10.common_mistakes and 96 + buffers in ex.q10.common_mistakes
    net = models.LeNet5()
    net[0] = nn.Conv2d(1, 6, kernel_size=5, stride=2)
    x = torch.zeros(1, 1, 32, 32)
    for k in range(6):  # up to the flatten step
        x = net[k](x)
    assert list(ex.q11.answer) == list(x.shape[1:])


def test_experiments_print_the_answers(capsys):
    for q in (ex.q10, ex.q11):
        exec(q.experiment, {"np": np, "ex": ex})  # noqa: S102
    out = capsys.readouterr().out
    assert "15,050 parameters" in out and "15,146 parameters" in out  # 96 apart
    assert "(16, 1, 1) reaches the flatten step" in out and "expects 400" in out


def torch_stack(input_shape, layers):
    """The layers as PyTorch modules (on the meta device: shapes only), each fc layer sized
    from the shape that reaches it."""
    with torch.device("meta"):
        x, modules = torch.zeros(1, *input_shape), []
        for layer in layers:
            if layer[0] == "conv":
                _, out, k, s, p = layer
                module = nn.Conv2d(x.shape[1], out, k, s, p)
            elif layer[0] == "pool":
                module = nn.MaxPool2d(layer[1], layer[2])
            else:
                x = x.flatten(1)
                module = nn.Linear(x.shape[1], layer[1])
            x = module(x)
            modules.append(module)
        return nn.Sequential(*modules, nn.Flatten())


def test_function_references_against_torch():
    for (label, (shape, layers)), expected in zip(ex.q7.cases, ex.q7.expected_outputs()):
        with torch.device("meta"):
            out = torch_stack(shape, layers)(torch.zeros(1, *shape))
        assert expected == out.shape[1], label
    for (label, (scores, labels)), expected in zip(ex.q8.cases, ex.q8.expected_outputs()):
        s = torch.tensor(scores, requires_grad=True)
        F.cross_entropy(s, torch.tensor(labels)).backward()
        np.testing.assert_allclose(expected, s.grad.numpy(), atol=1e-12, err_msg=label)
    for (label, (x, gamma, beta, *eps)), expected in zip(ex.q9.cases, ex.q9.expected_outputs()):
        out = F.batch_norm(torch.tensor(x), None, None, torch.tensor(gamma),
                           torch.tensor(beta), training=True, eps=eps[0] if eps else 1e-5)
        np.testing.assert_allclose(expected, out.numpy(), atol=1e-10, err_msg=label)
    for (label, (shape, layers)), expected in zip(ex.q12.cases, ex.q12.expected_outputs()):
        assert expected == count(torch_stack(shape, layers)), label


def test_count_params_cases_are_the_real_networks():
    counts = [int(e) for e in ex.q12.expected_outputs()]
    assert counts[0] == count(models.SimpleCNN()) == 106_154
    assert counts[1] == count(models.LeNet5()) == 61_706
    with torch.device("meta"):
        assert counts[2] == count(models.AlexNet()) == 61_100_840


def test_the_new_cases_separate_the_shortcuts():
    """The 3x3/2 pooling on an even map, the non-square input, the small variance."""
    cases = dict(ex.q7.cases)
    assert ex.flatten_size(*cases["3x3 pooling with stride 2 on an 8x8 map"]) != 16 * 4 * 4
    x = dict(ex.q9.cases)["a variance about as small as eps"][0]
    assert x.var() < 1e-4  # eps = 1e-5 matters next to it

def test_a_diagnosis_also_names_the_failing_cases():
    fb = ex.q7.check(ex._flatten_ignoring_padding)
    assert fb.correct is False and "padding" in fb.message and "SimpleCNN" in fb.message


@pytest.mark.parametrize("q", [ex.q7, ex.q8, ex.q9, ex.q12], ids=lambda q: q.name)
def test_raising_code_gets_a_message_not_a_traceback(q):
    fb = q.check(lambda *args: np.zeros((2, 2))[5])
    assert fb.correct is False and "IndexError" in fb.message


# --------------------------------------------------------------------------- a catalogue of
# student code: each function exercise rejects typical wrong versions with a message that names
# the mistake, and accepts right versions written another way.


def rejected(q, fn, *phrases):
    fb = q.check(fn)
    assert fb.correct is False, fn.__name__
    for phrase in phrases:
        assert phrase in fb.message, (fn.__name__, phrase, fb.message)


def accepted(q, fn):
    fb = q.check(fn)
    assert fb.correct is True, (fn.__name__, fb.message)


def test_flatten_size_catalogue():
    def pool_by_stride(input_shape, layers):
        c, h, w = input_shape
        for layer in layers:
            if layer[0] == "conv":
                _, c, k, s, p = layer
                h, w = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
            else:
                h, w = h // layer[2], w // layer[2]  # "pooling divides by the stride"
        return c * h * w

    def no_padding(input_shape, layers):
        c, h, w = input_shape
        for layer in layers:
            k, s = (layer[2], layer[3]) if layer[0] == "conv" else (layer[1], layer[2])
            c = layer[1] if layer[0] == "conv" else c
            h, w = (h - k) // s + 1, (w - k) // s + 1
        return c * h * w

    def rounding_up(input_shape, layers):
        import math
        c, h, w = input_shape
        for layer in layers:
            if layer[0] == "conv":
                _, c, k, s, p = layer
            else:
                (_, k, s), p = layer, 0
            h = math.ceil((h + 2 * p - k) / s) + 1
            w = math.ceil((w + 2 * p - k) / s) + 1
        return c * h * w

    def square_only(input_shape, layers):
        c, size, _ = input_shape
        for layer in layers:
            if layer[0] == "conv":
                _, c, k, s, p = layer
            else:
                (_, k, s), p = layer, 0
            size = (size + 2 * p - k) // s + 1
        return c * size * size

    def no_channels(input_shape, layers):
        _, h, w = input_shape
        for layer in layers:
            if layer[0] == "conv":
                _, _, k, s, p = layer
            else:
                (_, k, s), p = layer, 0
            h, w = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
        return h * w

    rejected(ex.q7, pool_by_stride, "3x3 pooling with stride 2 on an 8x8 map", "H // S")
    rejected(ex.q7, no_padding, "SimpleCNN on 1x28x28", "padding")
    rejected(ex.q7, rounding_up, "Round down")
    rejected(ex.q7, square_only, "non-square", "width separately")
    rejected(ex.q7, no_channels, "number of channels")

    def with_true_division(input_shape, layers):
        c, h, w = input_shape
        for layer in layers:
            conv = layer[0] == "conv"
            k, s, p = layer[2:5] if conv else (layer[1], layer[2], 0)
            c = layer[1] if conv else c
            h, w = int((h + 2 * p - k) / s + 1), int((w + 2 * p - k) / s + 1)
        return c * h * w

    def vectorised(input_shape, layers):
        c, size = input_shape[0], np.array(input_shape[1:])
        for layer in layers:
            if layer[0] == "conv":
                _, c, k, s, p = layer
            else:
                (_, k, s), p = layer, 0
            size = (size + 2 * p - k) // s + 1
        return np.int64(c) * np.prod(size)

    accepted(ex.q7, with_true_division)
    accepted(ex.q7, vectorised)


def test_cross_entropy_grad_catalogue():
    def no_mean(scores, labels):
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        p[np.arange(len(p)), labels] -= 1
        return p

    def overflowing(scores, labels):
        with np.errstate(over="ignore", invalid="ignore"):
            p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
        p[np.arange(len(p)), labels] -= 1
        return p / len(p)

    def one_hot_minus_softmax(scores, labels):
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        return (np.eye(scores.shape[1])[labels] - e / e.sum(axis=1, keepdims=True)) / len(e)

    def column_indexing(scores, labels):
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        p[:, labels] -= 1
        return p / len(p)

    def softmax_down_columns(scores, labels):
        e = np.exp(scores - scores.max(axis=0))
        p = e / e.sum(axis=0)
        p[np.arange(len(p)), labels] -= 1
        return p / len(p)

    def no_one_hot(scores, labels):
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True) / len(e)

    rejected(ex.q8, no_mean, "Divide by N")
    rejected(ex.q8, overflowing, "large scores (softmax must not overflow)", "finite number")
    rejected(ex.q8, one_hot_minus_softmax, "sign is flipped")
    rejected(ex.q8, column_indexing, "probs[np.arange(N), labels]")
    rejected(ex.q8, softmax_down_columns, "axis=1")
    rejected(ex.q8, no_one_hot, "one-hot")

    def with_loops(scores, labels):
        grad = np.zeros(scores.shape)
        for n, row in enumerate(scores):
            e = np.exp(row - row.max())
            grad[n] = e / e.sum()
            grad[n, labels[n]] -= 1
        return (grad / len(scores)).tolist()  # a nested list is fine

    def in_float32(scores, labels):
        s = np.asarray(scores, dtype=np.float32)
        e = np.exp(s - s.max(axis=1, keepdims=True))
        one_hot = np.eye(s.shape[1], dtype=np.float32)[labels]
        return (e / e.sum(axis=1, keepdims=True) - one_hot) / np.float32(len(s))

    accepted(ex.q8, with_loops)
    accepted(ex.q8, in_float32)


def test_batch_norm_catalogue():
    def eps_outside(x, gamma, beta, eps=1e-5):
        mean, std = x.mean(axis=(0, 2, 3), keepdims=True), x.std(axis=(0, 2, 3), keepdims=True)
        return gamma[None, :, None, None] * (x - mean) / (std + eps) + beta[None, :, None, None]

    def no_eps(x, gamma, beta, eps=1e-5):
        mean, var = x.mean(axis=(0, 2, 3), keepdims=True), x.var(axis=(0, 2, 3), keepdims=True)
        with np.errstate(invalid="ignore"):
            x_hat = (x - mean) / np.sqrt(var)
        return gamma[None, :, None, None] * x_hat + beta[None, :, None, None]

    def fixed_eps(x, gamma, beta, eps=1e-5):
        mean, var = x.mean(axis=(0, 2, 3), keepdims=True), x.var(axis=(0, 2, 3), keepdims=True)
        x_hat = (x - mean) / np.sqrt(var + 1e-5)
        return gamma[None, :, None, None] * x_hat + beta[None, :, None, None]

    def per_position(x, gamma, beta, eps=1e-5):
        x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
        return gamma[None, :, None, None] * x_hat + beta[None, :, None, None]

    def per_example(x, gamma, beta, eps=1e-5):
        mean, var = x.mean(axis=(1, 2, 3), keepdims=True), x.var(axis=(1, 2, 3), keepdims=True)
        x_hat = (x - mean) / np.sqrt(var + eps)
        return gamma[None, :, None, None] * x_hat + beta[None, :, None, None]

    def unbiased(x, gamma, beta, eps=1e-5):
        mean = x.mean(axis=(0, 2, 3), keepdims=True)
        var = x.var(axis=(0, 2, 3), keepdims=True, ddof=1)
        return gamma[None, :, None, None] * (x - mean) / np.sqrt(var + eps) \
            + beta[None, :, None, None]

    def swapped(x, gamma, beta, eps=1e-5):
        mean, var = x.mean(axis=(0, 2, 3), keepdims=True), x.var(axis=(0, 2, 3), keepdims=True)
        x_hat = (x - mean) / np.sqrt(var + eps)
        return beta[None, :, None, None] * x_hat + gamma[None, :, None, None]

    rejected(ex.q9, eps_outside, "inside the square root")
    rejected(ex.q9, no_eps, "a constant channel (eps keeps it finite)", "finite number")
    rejected(ex.q9, fixed_eps, "eps = 0.1 passed in", "the `eps` that is passed in")
    rejected(ex.q9, per_position, "per channel and position")
    rejected(ex.q9, per_example, "CHANNEL")
    rejected(ex.q9, unbiased, "biased variance")
    rejected(ex.q9, swapped, "gamma 1 and beta 0", "gamma scales and beta shifts")

    def channel_by_channel(x, gamma, beta, eps=1e-5):
        out = np.empty_like(x, dtype=float)
        for c in range(x.shape[1]):
            values = x[:, c]
            mean = values.sum() / values.size
            var = ((values - mean) ** 2).sum() / values.size
            out[:, c] = gamma[c] * (values - mean) / (var + eps) ** 0.5 + beta[c]
        return out

    def in_float32(x, gamma, beta, eps=1e-5):
        x = np.asarray(x, dtype=np.float32)
        mean = x.mean(axis=(0, 2, 3), keepdims=True)
        var = ((x - mean) ** 2).mean(axis=(0, 2, 3), keepdims=True)
        g, b = (np.asarray(v, dtype=np.float32).reshape(1, -1, 1, 1) for v in (gamma, beta))
        return g * (x - mean) / np.sqrt(var + np.float32(eps)) + b

    accepted(ex.q9, channel_by_channel)
    accepted(ex.q9, in_float32)


def test_count_params_catalogue():
    def shapes(input_shape, layers):
        """(layer, C, H, W before it) for each layer: the right sizes, as Exercise 5.7."""
        c, h, w = input_shape
        for layer in layers:
            yield layer, c, h, w
            if layer[0] == "conv":
                _, c, k, s, p = layer
                h, w = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
            elif layer[0] == "pool":
                h, w = (h - layer[1]) // layer[2] + 1, (w - layer[1]) // layer[2] + 1
            else:
                c, h, w = layer[1], 1, 1

    def no_biases(input_shape, layers):
        total = 0
        for layer, c, h, w in shapes(input_shape, layers):
            if layer[0] == "conv":
                total += layer[1] * c * layer[2] ** 2
            elif layer[0] == "fc":
                total += layer[1] * c * h * w
        return total

    def flat_filters(input_shape, layers):
        total = 0
        for layer, c, h, w in shapes(input_shape, layers):
            if layer[0] == "conv":
                total += layer[1] * (layer[2] * layer[2] + 1)  # a k x k filter and a bias
            elif layer[0] == "fc":
                total += layer[1] * (c * h * w + 1)
        return total

    def fc_from_channels(input_shape, layers):
        total = 0
        for layer, c, _, _ in shapes(input_shape, layers):
            if layer[0] == "conv":
                total += layer[1] * (c * layer[2] ** 2 + 1)
            elif layer[0] == "fc":
                total += layer[1] * (c + 1)
        return total

    def pool_halves(input_shape, layers):
        c, h, w = input_shape
        total = 0
        for layer in layers:
            if layer[0] == "conv":
                _, out, k, s, p = layer
                total += out * (c * k * k + 1)
                c, h, w = out, (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
            elif layer[0] == "pool":
                h, w = h // layer[2], w // layer[2]
            else:
                total += layer[1] * (c * h * w + 1)
                c, h, w = layer[1], 1, 1
        return total

    rejected(ex.q12, no_biases, "SimpleCNN on 1x28x28", "Add the biases")
    rejected(ex.q12, flat_filters, "all the input channels")
    rejected(ex.q12, fc_from_channels, "C * H * W inputs")
    rejected(ex.q12, pool_halves, "non-square 3x32x46", "not H // S")

    def from_flatten_sizes(input_shape, layers):
        total, shape = 0, tuple(input_shape)
        for layer in layers:
            if layer[0] == "conv":
                total += layer[1] * (shape[0] * layer[2] ** 2 + 1)
            if layer[0] == "fc":
                total += layer[1] * (int(np.prod(shape)) + 1)
                shape = (layer[1], 1, 1)
            else:
                c = layer[1] if layer[0] == "conv" else shape[0]
                k, s, p = layer[2:] if layer[0] == "conv" else (layer[1], layer[2], 0)
                shape = (c,) + tuple((n + 2 * p - k) // s + 1 for n in shape[1:])
        return total

    def with_torch(input_shape, layers):
        import torch
        from torch import nn
        with torch.device("meta"):
            x, total = torch.zeros(1, *input_shape), 0
            for layer in layers:
                if layer[0] == "conv":
                    module = nn.Conv2d(x.shape[1], *layer[1:])
                elif layer[0] == "pool":
                    module = nn.MaxPool2d(*layer[1:])
                else:
                    x = x.flatten(1)
                    module = nn.Linear(x.shape[1], layer[1])
                x = module(x)
                total += sum(p.numel() for p in module.parameters())
        return total

    accepted(ex.q12, from_flatten_sizes)
    accepted(ex.q12, with_torch)

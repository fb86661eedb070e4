"""cnn_lib.scratch.dropout: inverted dropout as torch.nn.functional.dropout (kept values scaled
by 1 / (1 - p), the identity when not training), the fraction kept, reproducibility with a seed,
the edge cases p = 0 and p = 1, and bad input."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_lib.scratch import dropout


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([0.1, 0.25, 0.5, 0.8]), st.integers(0, 2**16))
def test_kept_values_are_scaled_like_torch(p, seed):
    x = np.random.default_rng(seed).uniform(0.5, 2, (4, 3, 5, 5))
    out = dropout(x, p, rng=seed)
    out_t = F.dropout(torch.tensor(x), p, training=True).numpy()
    kept = out != 0
    # both: every value is either 0 or input / (1 - p)
    np.testing.assert_allclose(out[kept], x[kept] / (1 - p), rtol=1e-12)
    kept_t = out_t != 0
    np.testing.assert_allclose(out_t[kept_t], x[kept_t] / (1 - p), rtol=1e-12)


def test_fraction_kept_and_mean_preserved():
    x = np.ones(200_000)
    out = dropout(x, 0.3, rng=0)
    # 200,000 draws: the kept fraction is within 5 standard deviations (0.005) of 0.7
    assert abs((out != 0).mean() - 0.7) < 0.005
    assert abs(out.mean() - 1) < 0.01


def test_identity_when_not_training_and_edge_cases():
    x = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(dropout(x, 0.9, training=False), x)
    np.testing.assert_array_equal(dropout(x, 0.0, rng=1), x)
    np.testing.assert_array_equal(dropout(x, 1.0, rng=1), np.zeros_like(x))
    np.testing.assert_array_equal(F.dropout(torch.tensor(x), 1.0).numpy(), np.zeros_like(x))


def test_same_seed_same_mask_and_generator_advances():
    x = np.ones((6, 6))
    np.testing.assert_array_equal(dropout(x, rng=3), dropout(x, rng=3))
    g = np.random.default_rng(3)
    first, second = dropout(x, rng=g), dropout(x, rng=g)
    np.testing.assert_array_equal(first, dropout(x, rng=3))
    assert not np.array_equal(first, second)


def test_float32_stays_float32():
    assert dropout(np.ones(5, np.float32), 0.5, rng=0).dtype == np.float32


@pytest.mark.parametrize("call, error, words", [
    (lambda: dropout(np.ones(3), p=1.5), ValueError, "dropout: p must be in [0, 1], got 1.5"),
    (lambda: dropout(np.ones(3), p=-0.1), ValueError, "in [0, 1]"),
    (lambda: dropout(np.ones(3), training=1), TypeError, "training must be True or False"),
    (lambda: dropout(np.ones(3), rng="seed"), TypeError, "rng must be a numpy.random"),
    (lambda: dropout(["a"]), TypeError, "input must hold real numbers"),
])
def test_bad_input_gets_a_clear_error(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)

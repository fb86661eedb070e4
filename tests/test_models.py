"""Tests for chapter 5's models: the published parameter counts (torchvision's, for 1000
classes and a 3x224x224 input), the shapes the decks trace, and models.summary."""

import pytest
import torch

from cnn_lib import arithmetic, models

PUBLISHED = {  # torchvision's documented parameter counts
    "AlexNet": 61_100_840,
    "VGG11": 132_863_336,
    "VGG16": 138_357_544,
    "GoogLeNet": 6_624_904,  # without the auxiliary classifiers
    "ResNet18": 11_689_512,
}


def count(model):
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_published_parameter_counts_and_output(name):
    with torch.device("meta"):
        model = getattr(models, name)()
        rows, total = models.summary(model, (3, 224, 224))
    assert count(model) == total == PUBLISHED[name]
    assert rows[-1]["output"] == (1000,)
    assert sum(r["params"] for r in rows) == total  # every parameter sits in some row
    with torch.device("meta"):
        assert count(getattr(models, name)(num_classes=10)) < total


def test_alexnet_as_the_2012_paper_built_it_on_two_gpus():
    with torch.device("meta"):
        model = models.AlexNet2012()
        rows, total = models.summary(model, (3, 227, 227))
    layers = [count(m) for m in model.modules()
              if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    # conv2, conv4 and conv5 see only their own GPU's half of the maps (groups=2)
    assert layers == [34_944, 307_456, 885_120, 663_936, 442_624,
                      37_752_832, 16_781_312, 4_097_000]
    assert layers[1] == arithmetic.conv_params(48, 256, 5) and layers[2] == arithmetic.conv_params(
        256, 384, 3)
    assert count(model) == total == 60_965_224 != PUBLISHED["AlexNet"]
    assert [r["output"] for r in rows if r["type"] == "MaxPool2d"] == [
        (96, 27, 27), (256, 13, 13), (256, 6, 6)]
    assert rows[-1]["output"] == (1000,)


def test_lenet5_of_the_1998_paper_has_60000_trainable_parameters():
    c3 = 6 * (3 * 25 + 1) + 9 * (4 * 25 + 1) + 1 * (6 * 25 + 1)  # C3's partial connections
    assert c3 == 1_516
    paper = [6 * 26, 6 * 2, c3, 16 * 2, 120 * (16 * 25 + 1), 84 * (120 + 1)]
    assert sum(paper) == 60_000 and count(models.LeNet5()) == 61_706


def test_layer_counts_by_hand():
    assert arithmetic.conv_params(3, 64, 11) == 23_296  # AlexNet's first layer
    assert arithmetic.linear_params(256 * 6 * 6, 4096) == 37_752_832  # its first FC layer
    assert arithmetic.conv_params(3, 64, 3) + arithmetic.conv_params(64, 64, 3) == 38_720
    assert count(models.LeNet5()) == 61_706
    with torch.device("meta"):
        vgg = models.VGG16()
    fc = sum(p.numel() for p in vgg.classifier.parameters())
    assert fc == 123_642_856 and fc / count(vgg) > 0.89  # most of VGG-16 is its classifier


def test_simple_cnn_traced_shapes_004():
    rows, total = models.summary(models.SimpleCNN(), (1, 28, 28))
    shapes = [(r["layer"], r["output"]) for r in rows]
    assert shapes == [("conv1", (6, 28, 28)), ("pool", (6, 14, 14)), ("conv2", (16, 14, 14)),
                      ("pool", (16, 7, 7)), ("flatten", (784,)), ("fc1", (120,)),
                      ("fc2", (84,)), ("fc3", (10,))]
    assert total == 60 + 880 + 94_200 + 10_164 + 850 == 106_154
    assert models.SimpleCNN()(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    with pytest.raises(RuntimeError):
        models.SimpleCNN()(torch.zeros(1, 1, 32, 32))  # its flatten size fits 28x28 only


def test_googlenet_and_resnet_stage_shapes():
    with torch.device("meta"):
        rows, _ = models.summary(models.GoogLeNet(), (3, 224, 224), depth=1)
        shapes = {r["layer"]: r["output"] for r in rows}
        assert shapes["stem"] == (192, 28, 28) and shapes["inception3"] == (480, 14, 14)
        assert shapes["inception4"] == (832, 7, 7) and shapes["inception5"] == (1024, 7, 7)
        rows, _ = models.summary(models.ResNet18(), (3, 224, 224), depth=2)
        shapes = {r["layer"]: r["output"] for r in rows}
    assert shapes["stem.3"] == (64, 56, 56) and shapes["stages.3"] == (512, 7, 7)
    block = models.BasicBlock(64, 128, stride=2)
    assert block(torch.zeros(1, 64, 8, 8)).shape == (1, 128, 4, 4)


def test_summary_leaves_a_trained_model_alone():
    model = models.SimpleCNN()
    before = [p.detach().clone() for p in model.parameters()]
    model.train()
    models.summary(model, (1, 28, 28))
    assert model.training and all(torch.equal(a, b) for a, b in zip(before, model.parameters()))
    rows, _ = models.summary(model, (1, 28, 28))
    assert len(rows) == 8  # hooks removed: a second call gives the same rows


@pytest.mark.parametrize("call, error, words", [
    (lambda: models.summary("vgg", (3, 224, 224)), TypeError, "torch.nn.Module"),
    (lambda: models.summary(models.SimpleCNN(), (28, 28)), ValueError, "input_shape"),
    (lambda: models.summary(models.SimpleCNN(), (1, 28, 28), depth=0), ValueError, "depth"),
    (lambda: models.AlexNet(num_classes=0), ValueError, "num_classes"),
])
def test_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()

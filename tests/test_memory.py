"""Layer tables and memory per layer (cnn_lib.memory), against hand-computed values,
CS231n's "VGGNet in detail" table, and PyTorch modules built here."""

import math

import pytest
import torch
from torch import nn

from cnn_lib import memory, models

# CS231n's notes, "VGGNet in detail" (cs231n.github.io/convolutional-networks): per layer
# (name, output [H, W, C], "memory" = values, "weights" = weights without biases)
CS231N_VGG16 = [
    ("INPUT", (224, 224, 3), 224 * 224 * 3, 0),
    ("CONV3-64", (224, 224, 64), 224 * 224 * 64, (3 * 3 * 3) * 64),
    ("CONV3-64", (224, 224, 64), 224 * 224 * 64, (3 * 3 * 64) * 64),
    ("POOL2", (112, 112, 64), 112 * 112 * 64, 0),
    ("CONV3-128", (112, 112, 128), 112 * 112 * 128, (3 * 3 * 64) * 128),
    ("CONV3-128", (112, 112, 128), 112 * 112 * 128, (3 * 3 * 128) * 128),
    ("POOL2", (56, 56, 128), 56 * 56 * 128, 0),
    ("CONV3-256", (56, 56, 256), 56 * 56 * 256, (3 * 3 * 128) * 256),
    ("CONV3-256", (56, 56, 256), 56 * 56 * 256, (3 * 3 * 256) * 256),
    ("CONV3-256", (56, 56, 256), 56 * 56 * 256, (3 * 3 * 256) * 256),
    ("POOL2", (28, 28, 256), 28 * 28 * 256, 0),
    ("CONV3-512", (28, 28, 512), 28 * 28 * 512, (3 * 3 * 256) * 512),
    ("CONV3-512", (28, 28, 512), 28 * 28 * 512, (3 * 3 * 512) * 512),
    ("CONV3-512", (28, 28, 512), 28 * 28 * 512, (3 * 3 * 512) * 512),
    ("POOL2", (14, 14, 512), 14 * 14 * 512, 0),
    ("CONV3-512", (14, 14, 512), 14 * 14 * 512, (3 * 3 * 512) * 512),
    ("CONV3-512", (14, 14, 512), 14 * 14 * 512, (3 * 3 * 512) * 512),
    ("CONV3-512", (14, 14, 512), 14 * 14 * 512, (3 * 3 * 512) * 512),
    ("POOL2", (7, 7, 512), 7 * 7 * 512, 0),
    ("FC", (1, 1, 4096), 4096, 7 * 7 * 512 * 4096),
    ("FC", (1, 1, 4096), 4096, 4096 * 4096),
    ("FC", (1, 1, 1000), 1000, 4096 * 1000),
]


def test_vgg16_memory_reproduces_cs231n_row_by_row():
    rows, totals = memory.vgg16_memory()
    assert len(rows) == len(CS231N_VGG16) == 22
    for row, (name, (h, w, c), values, weights) in zip(rows, CS231N_VGG16):
        assert row["activations"] == values, name
        assert row["weights"] == weights, name
        assert row["output"] in ((c, h, w), (c,))
    # CS231n's weights leave out the biases, one per output channel or unit
    assert [r["biases"] for r in rows[1:] if r["type"] != "MaxPool2d"] == [
        64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512, 4096, 4096, 1000]


def test_vgg16_memory_totals():
    rows, totals = memory.vgg16_memory()
    values = sum(v for _, _, v, _ in CS231N_VGG16)
    # by hand: 150,528 + 2 * 3,211,264 + 802,816 + 2 * 1,605,632 + 401,408 + 3 * 802,816
    # + 200,704 + 3 * 401,408 + 100,352 + 3 * 100,352 + 25,088 + 4,096 + 4,096 + 1,000
    assert values == totals["activations"] == 15_237_608
    assert totals["weights"] == sum(w for *_, w in CS231N_VGG16) == 138_344_128
    assert totals["biases"] == 13_416
    assert totals["params"] == 138_357_544
    assert totals["forward_bytes"] == 4 * 15_237_608 == 60_950_432            # 61.0 MB
    assert totals["weight_bytes"] == 4 * 138_357_544 == 553_430_176           # 553.4 MB
    # backward: a gradient per activation (not for the input image) and per parameter
    assert totals["activation_grads"] == 15_237_608 - 150_528
    assert totals["param_grads"] == 138_357_544
    assert totals["backward_bytes"] == 4 * (15_087_080 + 138_357_544)
    assert totals["training_bytes"] == 4 * (2 * 15_237_608 - 150_528 + 2 * 138_357_544)
    assert round(totals["training_bytes"] / 1e9, 2) == 1.23
    # CS231n's "24M" is not the sum of its own column (cs231n.github.io issue #88), nor
    # what ReLUs that are not in place would add (one more copy of each conv's output)
    assert 15.2e6 < values < 15.3e6
    conv_outputs = sum(r["activations"] for r in rows if r["type"] == "Conv2d")
    assert conv_outputs == 13_547_520
    assert round((values + conv_outputs) / 1e6, 1) == 28.8
    assert memory.vgg16_memory(bytes_per_value=2)[1]["forward_bytes"] == 2 * values


def test_memory_table_counts_what_it_is_asked_for():
    model = models.LeNet5()
    rows, totals = memory.memory_table(model, (1, 32, 32), layer_types=("Conv2d",))
    assert [r["layer"] for r in rows] == ["input", "0", "3"]
    assert [r["activations"] for r in rows] == [1024, 6 * 28 * 28, 16 * 10 * 10]
    assert [r["params"] for r in rows] == [0, 156, 2416]
    assert totals["activations"] == 1024 + 4704 + 1600
    with pytest.raises(TypeError, match="layer_types"):
        memory.memory_table(model, (1, 32, 32), layer_types="Conv2d")
    with pytest.raises(ValueError, match="bytes_per_value"):
        memory.memory_table(model, (1, 32, 32), bytes_per_value=0)
    with pytest.raises(ValueError, match="input_shape"):
        memory.memory_table(model, (32, 32))


def test_vgg16_layer_table_at_full_depth():
    rows, total = memory.vgg16_table()
    kinds = [r["type"] for r in rows]
    assert kinds.count("Conv2d") == 13 and kinds.count("MaxPool2d") == 5
    assert kinds.count("Linear") == 3 and kinds.count("ReLU") == 15
    assert kinds.count("Dropout") == 2 and len(rows) == 39
    convs = [r for r in rows if r["type"] == "Conv2d"]
    channels = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]
    sizes = [224] * 2 + [112] * 2 + [56] * 3 + [28] * 3 + [14] * 3
    assert [r["output"] for r in convs] == [(c, s, s) for c, s in zip(channels, sizes)]
    ins = [3] + channels[:-1]
    assert [r["params"] for r in convs] == [9 * i * o + o for i, o in zip(ins, channels)]
    assert all(r["label"] == "conv 3×3" and r["padding"] == (1, 1) for r in convs)
    linear = [r["params"] for r in rows if r["type"] == "Linear"]
    assert linear == [25088 * 4096 + 4096, 4096 * 4096 + 4096, 4096 * 1000 + 1000]
    # torchvision's published count for vgg16 (torchvision is not installed here)
    assert total == sum(r["params"] for r in rows) == 138_357_544
    assert [r["label"] for r in rows if r["type"] == "MaxPool2d"] == [
        "max pool 2×2, stride 2"] * 5
    assert rows[0]["activations"] == 64 * 224 * 224


def test_layer_labels():
    assert memory.layer_label(nn.Conv2d(3, 96, 11, stride=4)) == "conv 11×11, stride 4"
    assert memory.layer_label(nn.Conv2d(3, 8, (3, 5), stride=(1, 2))) == "conv 3×5, stride 1×2"
    assert memory.layer_label(nn.MaxPool2d(3, 2)) == "max pool 3×3, stride 2"
    assert memory.layer_label(nn.MaxPool2d(3, 1, 1)) == "max pool 3×3"
    assert memory.layer_label(nn.ConvTranspose2d(4, 2, 2, 2)) == "up-conv 2×2, stride 2"
    assert memory.layer_label(nn.Linear(3, 4)) == "fully connected"
    assert memory.layer_label(nn.BatchNorm2d(3)) == "BN"
    with pytest.raises(TypeError, match="module"):
        memory.layer_label("conv")


def test_inception_table_is_inception_3a():
    rows, total = memory.inception_table()
    convs = {r["layer"]: r for r in rows if r["type"] == "Conv2d"}
    assert {k: v["output"][0] for k, v in convs.items()} == {
        "branch1.0": 64, "branch2.0.0": 96, "branch2.1.0": 128, "branch3.0.0": 16,
        "branch3.1.0": 32, "branch4.1.0": 32}
    assert all(r["output"][1:] == (28, 28) for r in rows)
    # convolutions without bias, BN with 2 parameters per channel; 3x3 in branch 3
    weights = 192 * 64 + 192 * 96 + 9 * 96 * 128 + 192 * 16 + 9 * 16 * 32 + 192 * 32
    assert total == weights + 2 * (64 + 96 + 128 + 16 + 32 + 32) == 155_872
    x = torch.zeros(1, 192, 28, 28)
    assert models.Inception(192, 64, 96, 128, 16, 32, 32).eval()(x).shape == (1, 256, 28, 28)
    with pytest.raises(ValueError, match="size"):
        memory.inception_table(0)


def test_residual_tables():
    rows, total = memory.residual_table()
    assert total == 2 * (9 * 64 * 64 + 2 * 64) == 73_984
    assert [r["layer"] for r in rows] == ["conv1", "bn1", "conv2", "bn2", "shortcut"]
    assert all(r["output"] == (64, 56, 56) for r in rows)
    rows, total = memory.residual_table(64, 128, 2)   # ResNet-18's layer2[0]
    assert total == 9 * 64 * 128 + 256 + 9 * 128 * 128 + 256 + 64 * 128 + 256 == 230_144
    assert rows[-2]["label"] == "conv 1×1, stride 2" and rows[-2]["output"] == (128, 28, 28)
    with torch.device("meta"):
        resnet18 = models.ResNet18()
    assert total == sum(p.numel() for p in resnet18.stages[1][0].parameters())


class Bottleneck(nn.Module):
    """torchvision's Bottleneck (ResNet v1.5: the stride on the 3x3), written out."""

    def __init__(self, c_in, mid, c_out, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, mid, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(mid)
        self.conv2 = nn.Conv2d(mid, mid, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(mid)
        self.conv3 = nn.Conv2d(mid, c_out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(c_out)
        self.shortcut = nn.Identity()
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False),
                                          nn.BatchNorm2d(c_out))

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = torch.relu(self.bn2(self.conv2(out)))
        return torch.relu(self.bn3(self.conv3(out)) + self.shortcut(x))


@pytest.mark.parametrize("c_in, mid, c_out, stride, size, expected", [
    (256, 64, 256, 1, 56, 70_400),     # ResNet-50 conv2_x, blocks 2 and 3
    (64, 64, 256, 1, 56, 75_008),      # ResNet-50 conv2_x, block 1 (projection)
    (256, 128, 512, 2, 56, 379_392),   # ResNet-50 conv3_x, block 1 (stride 2)
])
def test_bottleneck_table_matches_a_pytorch_bottleneck(c_in, mid, c_out, stride, size,
                                                       expected):
    rows, total = memory.bottleneck_table(c_in, mid, c_out, stride, size)
    block = Bottleneck(c_in, mid, c_out, stride)
    assert total == sum(p.numel() for p in block.parameters()) == expected
    table, _ = models.summary(block, (c_in, size, size))
    ours = {r["layer"]: (r["output"], r["params"]) for r in rows}
    for r in table:
        assert ours[r["layer"]] == (r["output"], r["params"]), r["layer"]
    out = block.eval()(torch.zeros(1, c_in, size, size))
    assert rows[-1]["output"] == tuple(out.shape[1:])
    assert math.prod(rows[-1]["output"]) == rows[-1]["activations"]
    with pytest.raises(ValueError, match="mid_channels"):
        memory.bottleneck_table(256, 0)


def test_format_table():
    rows, total = memory.residual_table()
    text = memory.format_table(rows, total=total)
    lines = text.splitlines()
    assert lines[0].split() == ["layer", "label", "output", "params"]
    assert lines[1].split() == ["conv1", "conv", "3×3", "64×56×56", "36,864"]
    assert lines[-1].split() == ["total", "73,984"]
    rows, _ = memory.vgg16_memory()
    text = memory.format_table(rows, ("layer", "output", "activations", "weights"))
    assert text.splitlines()[-1].split() == ["total", "15,237,608", "138,344,128"]
    with pytest.raises(TypeError, match="rows"):
        memory.format_table([])
    with pytest.raises(ValueError, match="columns"):
        memory.format_table(rows, ("layer", "flops"))

"""The architecture diagrams (cnn_lib.diagrams): every shape drawn equals the model's own
(computed here with PyTorch, independently of the drawing code), no text overlaps another or
leaves its box, and no text is smaller than 9 pt."""

import itertools
import re

import matplotlib
import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.figure import Figure
from test_memory import Bottleneck  # a PyTorch bottleneck block, torchvision's layout
from torch import nn

from cnn_lib import diagrams, models

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def texts(fig):
    """The strings of every visible, non-empty text artist of ``fig``."""
    return [t.get_text() for t in fig.axes[0].texts if t.get_text().strip()]


def drawn_shapes(shown):
    """The texts that are a shape C×H×W (or a vector length), in drawing order."""
    return [t for t in shown if re.fullmatch(r"\d+(×\d+)*", t)]


def shapes_of(*tensors):
    return ["×".join(map(str, t.shape[1:])) for t in tensors]


def check_layout(fig, max_width=6.0):
    """Fonts >= 9 pt, no two texts overlapping, each box's text inside its box, and a
    figure at the book's 80 dpi no wider than ``max_width`` inches (480 px)."""
    assert isinstance(fig, Figure)
    assert fig.dpi == 80 and fig.get_size_inches()[0] <= max_width
    # a whole number of pixels, so the "<Figure size WxH>" text nbval compares is stable
    assert all(float(n * 80).is_integer() for n in fig.get_size_inches())
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    artists = [t for t in ax.texts if t.get_text().strip()]
    assert artists
    for t in artists:
        assert t.get_fontsize() >= 9, t.get_text()
    boxes = {t: t.get_window_extent(renderer) for t in artists}
    for (a, ba), (b, bb) in itertools.combinations(boxes.items(), 2):
        assert not ba.overlaps(bb), f"{a.get_text()!r} overlaps {b.get_text()!r}"
    figure_box = fig.bbox
    patches = {p.get_gid(): p.get_window_extent(renderer) for p in ax.patches
               if (p.get_gid() or "").startswith("box:")}
    for t, bbox in boxes.items():
        assert figure_box.x0 <= bbox.x0 and bbox.x1 <= figure_box.x1, t.get_text()
        assert figure_box.y0 <= bbox.y0 and bbox.y1 <= figure_box.y1, t.get_text()
        gid = t.get_gid() or ""
        if gid.startswith("box:"):
            outer = patches[gid]
            assert (outer.x0 < bbox.x0 and bbox.x1 < outer.x1 and outer.y0 < bbox.y0
                    and bbox.y1 < outer.y1), f"{t.get_text()!r} leaves its box {gid}"
    return texts(fig)


def arrows(fig):
    return {p.get_gid()[len("arrow:"):] for p in fig.axes[0].patches
            if (p.get_gid() or "").startswith("arrow:")}


def test_lenet5_shows_the_models_shapes_and_parameters():
    fig = diagrams.draw_lenet5()
    shown = check_layout(fig)
    model = models.LeNet5().eval()
    x = torch.zeros(1, 1, 32, 32)
    outputs = []
    with torch.no_grad():
        for layer in model:
            x = layer(x)
            if isinstance(layer, (nn.Conv2d, nn.AvgPool2d, nn.Flatten, nn.Linear)):
                outputs.append(x)
    expected = ["1×32×32"] + shapes_of(*outputs)
    assert expected == ["1×32×32", "6×28×28", "6×14×14", "16×10×10", "16×5×5", "400",
                        "120", "84", "10"]
    assert [t for t in shown if t in expected] == expected
    for label in ("conv 5×5", "avg pool 2×2, stride 2", "fully connected, 120", "flatten"):
        assert label in shown
    params = [t for t in shown if t.endswith(" params")]
    assert params == ["156 params", "2,416 params", "48,120 params", "10,164 params",
                      "850 params"]
    assert any(t.startswith("61,706 parameters in all\n") for t in shown)


def test_alexnet_two_gpus_cross_where_the_paper_says():
    fig = diagrams.draw_alexnet()
    shown = check_layout(fig)
    # per GPU: half of each layer's kernels (Krizhevsky et al. 2012, figure 2)
    per_gpu = ["48×55×55", "48×27×27", "128×27×27", "128×13×13", "192×13×13", "192×13×13",
               "128×13×13", "128×6×6", "2048", "2048"]
    with torch.device("meta"):
        model = models.AlexNet2012()
    x = torch.zeros(1, 3, 227, 227, device="meta")
    outputs = []
    for layer in model.features:
        x = layer(x)
        if isinstance(layer, (nn.Conv2d, nn.MaxPool2d)):
            outputs.append(x)
    halves = ["×".join(map(str, (t.shape[1] // 2, *t.shape[2:]))) for t in outputs]
    assert halves + ["2048", "2048"] == per_gpu
    assert drawn_shapes(shown) == (
        ["3×227×227"] + [s for s in per_gpu for _ in range(2)] + ["1000"])
    assert shown.count("GPU 1") == shown.count("GPU 2") == 1
    crossing = {a for a in arrows(fig) if a.split("->")[0].split(".")[-1] != "input"
                and a.split("->")[0].split(".")[-1] != a.split("->")[1].split(".")[-1]}
    # layer indices: 0 conv1, 1 pool1, 2 conv2, 3 pool2, 4 conv3, 5 conv4, 6 conv5,
    # 7 pool5, 8 fc6, 9 fc7, 10 fc8 (one box across both GPUs)
    assert {a.split("->")[1].split(".")[0] for a in crossing} == {"layer4", "layer8",
                                                                   "layer9", "layer10"}
    assert "layer4.gpu1->layer5.gpu0" not in arrows(fig)   # conv4 sees only its own GPU
    assert "layer3.gpu1->layer4.gpu0" in arrows(fig)       # conv3 sees both


@pytest.mark.parametrize("stage, shapes, params", [
    (1, ["3×224×224", "64×224×224", "64×224×224", "64×112×112"], [1_792, 36_928]),
    (3, ["128×56×56", "256×56×56", "256×56×56", "256×56×56", "256×28×28"],
     [295_168, 590_080, 590_080]),
    (5, ["512×14×14"] * 4 + ["512×7×7"], [2_359_808] * 3),
])
def test_vgg_stage(stage, shapes, params):
    shown = check_layout(diagrams.draw_vgg_stage(stage))
    assert drawn_shapes(shown) == shapes
    assert [t for t in shown if t.endswith(" params")] == [f"{p:,} params" for p in params]
    n = len(params)
    assert any(t.startswith(f"{n} convolutions, {sum(params):,} parameters") for t in shown)
    with pytest.raises(ValueError, match="stage"):
        diagrams.draw_vgg_stage(6)


def test_inception_block_branches():
    fig = diagrams.draw_inception_block()
    shown = check_layout(fig)
    block = models.Inception(192, 64, 96, 128, 16, 32, 32).eval()
    x = torch.zeros(1, 192, 28, 28)
    with torch.no_grad():
        drawn = [block.branch1(x), block.branch2[0](x), block.branch2(x),
                 block.branch3[0](x), block.branch3(x), block.branch4[0](x), block.branch4(x)]
        out = block(x)
    shapes = drawn_shapes(shown)
    assert shapes == ["192×28×28"] + shapes_of(*drawn, out)
    assert shapes_of(*drawn, out) == ["64×28×28", "96×28×28", "128×28×28", "16×28×28",
                                      "32×28×28", "192×28×28", "32×28×28", "256×28×28"]
    assert "concatenate along channels: 64 + 128 + 32 + 32" in shown
    assert shown.count("conv 1×1") == 4 and "conv 3×3*" in shown
    assert "155,872 parameters (convolutions and batch normalization)" in shown
    with pytest.raises(ValueError, match="size"):
        diagrams.draw_inception_block(0)


def test_residual_block_identity_and_projection():
    shown = check_layout(diagrams.draw_residual_block())
    assert shown.count("BN") == 2 and shown.count("ReLU") == 2
    assert shown.count("conv 3×3") == 2 and "identity" in " ".join(shown)
    assert drawn_shapes(shown) == ["64×56×56"] * 4
    assert "73,984 parameters" in " ".join(shown)
    fig = diagrams.draw_residual_block(64, 128, 2)
    shown = check_layout(fig)
    block = models.BasicBlock(64, 128, 2).eval()
    x = torch.zeros(1, 64, 56, 56)
    with torch.no_grad():
        c1, c2 = block.conv1(x), block.conv2(block.conv1(x))
        drawn = [x, c1, c2, block.shortcut(x), block(x)]
    assert drawn_shapes(shown) == shapes_of(*drawn)
    assert "conv 3×3, stride 2" in shown and "conv 1×1, stride 2" in shown
    assert "projection shortcut" in shown
    assert "230,144 parameters" in " ".join(shown)
    with pytest.raises(ValueError, match="stride"):
        diagrams.draw_residual_block(stride=0)


def test_bottleneck_block_matches_a_pytorch_bottleneck():
    shown = check_layout(diagrams.draw_bottleneck_block())
    block = Bottleneck(256, 64, 256).eval()
    x = torch.zeros(1, 256, 56, 56)
    with torch.no_grad():
        c1 = block.conv1(x)
        c2 = block.conv2(c1)
        drawn = [x, c1, c2, block.conv3(c2), block(x)]
    assert drawn_shapes(shown) == shapes_of(*drawn)
    assert shapes_of(*drawn) == ["256×56×56", "64×56×56", "64×56×56", "256×56×56",
                                 "256×56×56"]
    assert shown.count("BN") == 3 and shown.count("ReLU") == 3
    assert ["conv 1×1", "conv 3×3", "conv 1×1"] == [t for t in shown if t.startswith("conv")]
    assert "70,400 parameters" in " ".join(shown)
    assert sum(p.numel() for p in block.parameters()) == 70_400
    shown = check_layout(diagrams.draw_bottleneck_block(64, 64, 256))
    assert "projection shortcut" in shown and "75,008 parameters" in " ".join(shown)


def test_unet_shapes_come_from_the_model():
    model = models.UNet(width=8, batch_norm=True).eval()
    fig = diagrams.draw_unet(model, (1, 32, 32))
    shown = check_layout(fig)
    x = torch.zeros(1, 1, 32, 32)
    with torch.no_grad():
        d1 = model.down1(x)
        p1 = torch.max_pool2d(d1, 2)
        d2 = model.down2(p1)
        p2 = torch.max_pool2d(d2, 2)
        b = model.bottom(p2)
        u2 = model.up2(b)
        c2 = torch.cat([u2, d2], 1)
        m2 = model.merge2(c2)
        u1 = model.up1(m2)
        c1 = torch.cat([u1, d1], 1)
        m1 = model.merge1(c1)
        out = model.head(m1)
    drawn = drawn_shapes(shown)
    # boxes are drawn encoder first (top down), then the decoder (bottom up)
    assert drawn == ["1×32×32"] + shapes_of(d1, p1, d2, p2, b, u2, c2, m2, u1, c1, m1, out)
    assert shapes_of(b, c2, c1, out) == ["32×8×8", "32×16×16", "16×32×32", "4×32×32"]
    assert shown.count("skip: copy") == 2
    assert "concatenate 8 + 8" in shown and "concatenate 16 + 16" in shown
    assert shown.count("2 × (conv 3×3, BN, ReLU)") == 5
    total = sum(p.numel() for p in model.parameters())
    assert f"{total:,} parameters" in shown


def test_unet_without_skips_and_bad_input():
    shown = check_layout(diagrams.draw_unet(models.UNet(width=8, skip=False)))
    assert not any(t.startswith("concatenate") or t == "skip: copy" for t in shown)
    assert shown.count("2 × (conv 3×3, ReLU)") == 5
    assert "26,468 parameters" in shown
    with pytest.raises(TypeError, match="UNet"):
        diagrams.draw_unet(nn.Conv2d(1, 1, 1))
    with pytest.raises(ValueError, match="input_shape"):
        diagrams.draw_unet(input_shape=(32, 32))
    with pytest.raises(ValueError, match="divisible by 4"):
        diagrams.draw_unet(input_shape=(1, 30, 30))


def test_check_layout_catches_what_it_looks_for():
    from cnn_lib.diagrams._canvas import Canvas

    canvas = Canvas(4, 2)
    canvas.box("a", 1, 1, 1.5, ["conv 3×3", "8×8×8"])
    canvas.box("b", 1.4, 1.1, 1.5, ["max pool", "8×4×4"])  # on top of a
    with pytest.raises(AssertionError, match="overlaps"):
        check_layout(canvas.fig)
    canvas = Canvas(4, 2)
    canvas.box("a", 2, 1, 0.4, ["a label far wider than its box"])
    with pytest.raises(AssertionError, match="leaves its box"):
        check_layout(canvas.fig)
    canvas = Canvas(4, 2)
    canvas.note(2, 1, "tiny", size=7)
    with pytest.raises(AssertionError, match="tiny"):
        check_layout(canvas.fig)
    with pytest.raises(AssertionError):
        check_layout(Canvas(7, 2, "too wide for a phone").fig)

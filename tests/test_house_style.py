"""The house style and the PNG stamp of a figure's smallest text (cnn_lib.house_style)."""

import io

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from cnn_lib import house_style, plot


@pytest.fixture
def fig():
    with mpl.rc_context():
        plot.use_house_style()
        figure, ax = plt.subplots()
        ax.plot([0, 1], [0, 1])
        yield figure
        plt.close(figure)


def test_house_style_sizes(fig):
    assert fig.dpi == 100 and tuple(fig.get_size_inches()) == (7.2, 3.6)
    assert fig.get_size_inches()[0] * fig.dpi <= house_style.COLUMN_PX
    # tick labels are the smallest text: 9 pt at 100 dpi
    assert plot.smallest_text_px(fig) == round(9 * 100 / 72, 2) == 12.5


def test_smallest_text_counts_only_what_is_drawn(fig):
    ax = fig.axes[0]
    ax.set_title("title")
    ax.text(0.5, 0.5, "small", fontsize=6)
    assert plot.smallest_text_px(fig) == round(6 * 100 / 72, 2)
    assert plot.smallest_text_px(fig, dpi=200) == round(6 * 200 / 72, 2)
    ax.texts[0].set_visible(False)
    assert plot.smallest_text_px(fig) == 12.5
    ax.axis("off")  # hidden axes draw no tick labels; the 11 pt title remains
    assert plot.smallest_text_px(fig) == round(11 * 100 / 72, 2)
    ax.set_title("")
    assert plot.smallest_text_px(fig) is None


def test_raster_text_is_counted(fig):
    fig.axes[0].axis("off")
    plot.note_raster_text(fig, 14)
    plot.note_raster_text(fig, 16)  # the smallest wins
    assert plot.smallest_text_px(fig) == 14
    for bad in (0, -3, "10", True, None):
        with pytest.raises(ValueError, match="px must be a positive number"):
            plot.note_raster_text(fig, bad)
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        plot.note_raster_text("fig", 10)


def test_figure_png_carries_the_stamp(fig):
    png = plot.figure_png(fig)
    image = Image.open(io.BytesIO(png))
    assert image.text[house_style.STAMP_KEY] == "12.5"
    assert house_style.read_stamp(png) == 12.5
    # stamping again replaces the stamp, and the pixels are unchanged
    again = house_style.stamp_png(png, None)
    assert house_style.read_stamp(again) == "none"
    assert again.count(house_style.STAMP_KEY.encode()) == 1
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(again))), np.asarray(image))


def test_unstamped_and_bad_input():
    buffer = io.BytesIO()
    Image.new("L", (4, 4)).save(buffer, format="png")
    assert house_style.read_stamp(buffer.getvalue()) is None
    with pytest.raises(ValueError, match="png must be the bytes of a PNG"):
        house_style.stamp_png(b"GIF89a", 10)
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        plot.smallest_text_px(np.zeros(3))


def test_library_figures_are_readable():
    """Every figure cnn_lib.plot draws keeps its smallest text at MIN_TEXT_PX or more on the
    page (shrunk figures counted) and fits the column."""
    with mpl.rc_context():
        plot.use_house_style()
        figures = [plot.show_matrix(np.arange(49.0).reshape(7, 7) - 20).figure,
                   plot.show_images(np.random.default_rng(0).normal(size=(6, 8, 8)),
                                    titles=list("abcdef"), colorbar=True),
                   plot.show_kernels(np.ones((2, 3, 3, 3)))]
        ax = plt.subplots()[1]
        ax.imshow(np.zeros((10, 10)))
        plot.draw_boxes(ax, [[1, 1, 5, 5]], labels=["digit 3"])
        figures.append(ax.figure)
        anim = plot.sliding_window_animation(np.arange(25.0).reshape(5, 5), np.ones((3, 3)))
        figures.append(anim._fig)
        for figure in figures:
            png = Image.open(io.BytesIO(plot.figure_png(figure)))
            shown = min(1.0, house_style.COLUMN_PX / png.width)
            px = plot.smallest_text_px(figure) * shown
            assert px >= house_style.MIN_TEXT_PX, (figure, px)
            plt.close(figure)
        assert anim._fig.get_size_inches()[0] * anim._fig.dpi == pytest.approx(740)

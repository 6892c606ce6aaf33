"""helpers.sketchpad driven without a browser: strokes, uploads and picks, the model's
answer against `numpy_forward` and Keras (`model.predict`, each layer's output)."""

import io

import numpy as np
import pytest
from PIL import Image

from helpers import own_item, sketchpad


@pytest.fixture(scope="module")
def model(keras):
    from helpers import cnn

    return cnn.build_model(keras, seed=1)


@pytest.fixture
def pad(model):
    gallery = np.random.default_rng(0).integers(0, 256, (3, 28, 28)).astype(float)
    return sketchpad.Sketchpad(model, gallery=gallery)


def png(array) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(array, np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_stroke_paints_the_canvas_and_runs_the_model_as_keras_does(pad, model, keras):
    from helpers import layers

    assert pad.result is None and "Draw" in pad.message.value
    result = pad.stroke([(45, 45), (55, 65), (65, 85), (75, 205)])
    assert pad.drawing[4, 4] == 1.0 and pad.drawing[20, 7] == 1.0
    assert pad.drawing.max() == 1.0 and (pad.drawing > 0).sum() >= 12
    np.testing.assert_array_equal(result["item"], own_item.fashion_item(pad.drawing))
    x = result["item"][None, :, :, None]
    np.testing.assert_allclose(result["probabilities"], layers.numpy_forward(model, x)[0],
                               atol=1e-6)
    np.testing.assert_allclose(result["probabilities"], model.predict(x, verbose=0)[0],
                               atol=1e-5)
    assert list(result["maps"]) == ["conv1", "pool1", "conv2", "pool2"]
    for name, maps in result["maps"].items():
        upto = keras.Model(model.inputs, model.get_layer(name).output)
        np.testing.assert_allclose(maps, upto.predict(x, verbose=0)[0], atol=1e-5)
    assert len(pad.maps.children) == 4
    best = pad.class_names[int(np.argmax(result["probabilities"]))]
    assert best in pad.message.value and "◀" in pad.bars.value


def test_a_fast_stroke_is_a_line_not_dots(pad):
    pad.stroke([(5, 5), (275, 5)])  # the mouse reported only the two ends
    np.testing.assert_array_equal(pad.drawing[0], np.ones(28))
    assert pad.drawing[1].max() == 0.6 and pad.drawing[2:].max() == 0


def test_the_eraser_and_clear(pad):
    pad.stroke([(100, 100), (150, 100)])
    pad.tool.value = "eraser"
    pad.stroke([(100, 100)])
    assert pad.drawing[9:12, 9:12].max() == 0 and pad.drawing[10, 15] == 1.0
    pad.clear()
    assert pad.drawing.max() == 0 and pad.result is None


def test_an_empty_canvas_is_not_run(pad):
    result = pad.stroke([(-20, -20), (-5, 300)])  # left of the canvas: nothing painted
    assert pad.drawing.max() == 0
    assert "flat colour" in result["error"] and pad.message.value.startswith("❌")


def test_an_upload_is_made_an_item(pad):
    photo = np.full((90, 60, 3), 255, np.uint8)
    photo[10:80, 15:45] = (40, 40, 40)  # a dark item on white
    result = pad.upload(png(photo))
    np.testing.assert_array_equal(result["item"],
                                  own_item.fashion_item(own_item.read_upload(png(photo))))
    assert result["item"][14, 14] > 0.5  # negated: light on dark


@pytest.mark.parametrize("data, words", [(b"", "empty"), (b"GIF89a broken", "not a picture")])
def test_a_bad_upload_gets_a_message_not_a_traceback(pad, data, words):
    result = pad.upload(data)
    assert words in result["error"] and "❌" in pad.message.value


def test_a_picked_item_is_run_as_it_is(pad):
    pad.menu.value = 2
    np.testing.assert_array_equal(pad.result["item"], pad.gallery[2] / 255)
    np.testing.assert_array_equal(pad.drawing, pad.gallery[2] / 255)


def test_the_wrong_model_is_named(keras):
    other = keras.Sequential([keras.Input((10,)), keras.layers.Dense(3)])
    with pytest.raises(ValueError, match=r"`model` must take 28 x 28 x 1 items"):
        sketchpad.Sketchpad(other)

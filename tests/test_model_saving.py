"""No broken model is ever saved or silently used (helpers.cnn's save and load part).

Notebook 09 calls `cnn.mark_checked(model)` after its last check and
`cnn.check_trained(model)` before ``model.save``; notebooks 10 and 11 call
`cnn.load_or_train()`. Here the series' model trains on 256 images (a second or two per
run); tests/test_learner_copies.py stops the real notebook 09 midway.
"""

from __future__ import annotations

import pytest

from helpers import cnn


@pytest.fixture(scope="module")
def keras():
    from helpers.keras_setup import import_keras

    return import_keras()


@pytest.fixture(scope="module")
def data():
    from helpers.data import load_fashion_mnist

    (x, y), _ = load_fashion_mnist()
    return cnn.prepare(x[:256]), y[:256]


def stop_at_batch(keras, batch: int):
    """A callback that raises KeyboardInterrupt (the stop button) after `batch` batches."""

    class Stop(keras.callbacks.Callback):
        seen = 0

        def on_train_batch_end(self, index, logs=None):
            Stop.seen += 1
            if Stop.seen > batch:
                raise KeyboardInterrupt

    return Stop()


def fit(model, data, **kwargs):
    x, y = data
    model.fit(x, y, epochs=2, batch_size=128, verbose=0, **kwargs)


def test_only_a_finished_and_checked_training_may_be_saved(keras, data):
    model = cnn.build_model(keras)
    with pytest.raises(cnn.NotTrainedError, match="has not been trained yet"):
        cnn.check_trained(model)
    with pytest.raises(cnn.NotTrainedError, match="has not been trained yet"):
        cnn.mark_checked(model)
    fit(model, data)
    with pytest.raises(cnn.NotTrainedError, match="not passed the checks"):
        cnn.check_trained(model)
    cnn.mark_checked(model)
    cnn.check_trained(model)  # finished and checked: may be saved

    # Stopped in the first epoch of a second training run, then in the second epoch.
    for batch, done in ((0, 0), (2, 1)):
        with pytest.raises(KeyboardInterrupt):
            fit(model, data, callbacks=[stop_at_batch(keras, batch)])
        for call in (cnn.check_trained, cnn.mark_checked):
            with pytest.raises(cnn.NotTrainedError) as refused:
                call(model)
            said = str(refused.value)
            assert f"completed {done} of its 2 epochs" in said
            assert "Run -> Run All Above Selected Cell" in said
            assert "Nothing was written" in said

    fit(model, data)  # trained to the end again, but not checked again yet
    with pytest.raises(cnn.NotTrainedError, match="trained further since its checks"):
        cnn.check_trained(model)
    cnn.mark_checked(model)
    cnn.check_trained(model)


def test_save_model_leaves_no_partial_file(keras, tmp_path):
    path = tmp_path / "models" / "fashion_cnn.keras"
    model = cnn.build_model(keras)
    assert cnn.save_model(model, path) == path
    assert cnn.save_model(model, path) == path  # over an existing one
    assert sorted(p.name for p in path.parent.iterdir()) == ["fashion_cnn.keras"]


def test_load_or_train_says_what_it_found_and_what_to_do(keras, data, tmp_path, capsys):
    path = tmp_path / "fashion_cnn.keras"

    def load():
        model = cnn.load_or_train(path, epochs=1, n_train=256)
        return model, capsys.readouterr().out

    _, said = load()  # nothing there
    assert said.startswith(f"No trained model was found at {path}: notebook 09 saves it")
    assert "wait for this cell to finish, or stop it" in said
    assert "run notebook 09 first" in said and f"Trained and saved to {path}." in said
    trained, said = load()  # now it is there: loaded, nothing said
    assert said == "" and cnn._steps(trained) > 0

    cnn.save_model(cnn.build_model(keras), path)  # what an older notebook 09 could save
    _, said = load()
    assert f"The model at {path} is not trained" in said and "it is not used" in said
    assert "run notebook 09 first" in said
    assert cnn._steps(load()[0]) > 0  # replaced by a trained one

    path.write_bytes(b"not a model")  # a save that was cut short
    _, said = load()
    assert f"The model at {path} cannot be read" in said and "it is not used" in said
    assert load()[1] == ""

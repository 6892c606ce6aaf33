"""helpers.tools.bench: the README's performance table is built from every measurement."""

from helpers.tools import bench


def fake_results():
    return {
        "machine": "2 cores, test CPU, Python 3.11, no GPU",
        "images": 1000,
        "import_helpers_s": 0.05,
        "layers": [{"what": "conv", "numpy_s": 0.2, "tensorflow_s": 0.1, "ratio": 2.0,
                    "output_mb": 10.0, "peak_extra_mb": 1.0}],
        "backprop": {"batch": 64, "numpy_s": 0.03, "keras_s": 0.02, "ratio": 1.5},
        "notebooks_s": {"01_convolution_by_hand.ipynb": 3.2, "09_keras_cnn.ipynb": 95.0},
    }


def test_report_lists_each_notebook_with_its_budget_and_the_total():
    text = bench.report(fake_results())
    assert "| `01_convolution_by_hand.ipynb` executed | 3.2 s | <= 20 s |" in text
    assert "| `09_keras_cnn.ipynb` executed | 95.0 s | <= 60 s of training |" in text
    assert "| whole series executed (2 notebooks) | 98.2 s | <= 180 s |" in text


def test_report_states_the_sgd_step_ratio():
    text = bench.report(fake_results())
    assert "30 ms vs 20 ms = **1.5x** | <= 2.5x |" in text


def test_report_puts_the_plain_and_the_final_model_side_by_side():
    results = fake_results()
    results["model"] = {
        "epochs": 5, "moved_epochs": 1, "train_images": 54_000, "train_s": 70.0,
        "plain_accuracy": 0.9104, "plain_moved_accuracy": 0.7112,
        "test_accuracy": 0.9111, "moved_accuracy": 0.8765, "test_images": 10_000,
        "numpy_forward_s": 2.0, "keras_predict_s": 2.5, "numpy_over_keras": 0.8,
        "same_class": 10_000, "max_prob_diff": 7.7e-7,
    }
    text = bench.report(results)
    assert ("| notebook 09 CNN: training (5 epochs, then 1 on moved images; 54,000 "
            "images) | 70.0 s | <= 60 s |") in text
    assert ("| plain 91.04% / 71.12%; final **91.11% / 87.65%** | final >= 92% / "
            ">= 85% |") in text
    assert "= **0.8x** | <= 1.2x |" in text


def test_report_leaves_out_what_was_not_measured():
    results = fake_results()
    del results["backprop"], results["notebooks_s"]
    text = bench.report(results)
    assert "SGD" not in text and "executed" not in text


def test_the_notebooks_run_saves_its_model_in_the_temporary_folder(monkeypatch):
    """09 saves the model it trains: the benchmark must never write it over models/
    (a learner's or instructor's own trained model), and 10, 11 must read that one.
    The notebooks run as a learner's JupyterLab runs them: oneDNN on."""
    import os

    from helpers import cnn
    from helpers.tools import execute

    seen, onednn = {}, set()

    def fake_execute(path):
        onednn.add(os.environ.get("TF_ENABLE_ONEDNN_OPTS"))
        return seen.setdefault(path.name, cnn.model_path()) and 1.0

    monkeypatch.setenv(cnn.MODEL_ENV, "/somewhere/mine.keras")
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    monkeypatch.setattr(execute, "execute", fake_execute)
    times = bench.bench_notebooks()
    assert onednn == {"1"}  # as a learner's JupyterLab runs them
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == "0"  # restored
    assert set(times) == set(seen) and "09_keras_cnn.ipynb" in seen
    paths = set(seen.values())
    assert len(paths) == 1
    path = paths.pop()
    assert path.name == "fashion_cnn.keras" and bench.ROOT not in path.parents
    assert path.parent.parent.name.startswith("tmp")
    assert os.environ[cnn.MODEL_ENV] == "/somewhere/mine.keras"  # restored

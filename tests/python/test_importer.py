#!/usr/bin/python3
"""End-to-end checks of tools/import_sklearn.py with the C++ predictor: MLPs trained here with
Debian's scikit-learn, imported, then run by `hybrid-router predict`; probabilities must equal
predict_proba to 1e-12 relative. Also: numpy-2 style pickles (pickle and joblib, object arrays),
refused estimators, bad pickles, and pickles that would run code.

Usage: test_importer.py --binary build/.../hybrid-router [unittest args]
"""

import contextlib
import datetime
import io
import json
import math
import os
import pickle
import subprocess
import sys
import tempfile
import types
import unittest
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
IMPORTER = os.path.join(ROOT, "tools", "import_sklearn.py")
BINARY = None

WORKLOADS = ["lightweight_api", "thumbnail_processing", "medium_processing", "heavy_processing"]
WINDOWS = ["early_morning", "morning_peak", "midday", "evening", "late_night", "other"]
PATTERNS = ["low_load", "medium_load", "burst_load", "ramp_load"]
MEMORY = [128, 512, 1024, 2048]


def seed_v1(workload, payload, window, pattern, when):
    """An independent Python statement of the seed-v1 contract (DESIGN.md)."""
    w, tw, lp = WORKLOADS.index(workload), WINDOWS.index(window), PATTERNS.index(pattern)
    hour = when.hour
    weekend = 1 if when.weekday() >= 5 else 0
    p = float(payload)
    return [w, p, tw, lp, hour, weekend, MEMORY[w], p ** 2, math.log1p(p), p * w, p * hour,
            p * tw, w * tw, p * lp, tw * lp]


def domain_requests(n, seed):
    """Requests spread over the whole feature domain: every category, payloads from 0 to 10 GB
    on a log scale (saturating raw-feature models), every hour, weekdays and weekends."""
    rng = np.random.default_rng(seed)
    out = []
    base = datetime.datetime(2025, 11, 17)  # a Monday
    for i in range(n):
        kind = i % 4
        if kind == 0:
            payload = float(10 ** rng.uniform(-3, 7.0))  # up to 10 GB
        elif kind == 1:
            payload = float(rng.choice([0.0, 0.5, 1, 5, 10, 50, 100, 200, 500, 1024, 2048, 3072,
                                        4096, 5120, 10485760.0]))
        else:
            payload = float(rng.uniform(0, 6000))
        when = base + datetime.timedelta(days=int(rng.integers(0, 7)), hours=int(rng.integers(0, 24)),
                                         minutes=int(rng.integers(0, 60)))
        out.append({
            "workload_type": WORKLOADS[int(rng.integers(0, 4))],
            "payload_size_kb": payload,
            "time_window": WINDOWS[int(rng.integers(0, 6))],
            "load_pattern": PATTERNS[int(rng.integers(0, 4))],
            "timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        })
    return out


def features_of(reqs):
    rows = []
    for r in reqs:
        when = datetime.datetime.strptime(r["timestamp"], "%Y-%m-%dT%H:%M:%SZ")
        rows.append(seed_v1(r["workload_type"], r["payload_size_kb"], r["time_window"],
                            r["load_pattern"], when))
    return np.array(rows, dtype=np.float64)


def training_set(n, seed):
    reqs = domain_requests(n, seed)
    X = features_of(reqs)
    # A label with real structure: light work and small payloads favour Lambda.
    y = ((X[:, 0] <= 1) & (X[:, 1] < 300) | (X[:, 4] % 3 == 0)).astype(int)
    return X, y


def run(cmd, stdin=None):
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True)


def import_model(pickle_path, out_path, *extra):
    return run([sys.executable, IMPORTER, pickle_path, "-o", out_path, *extra])


def predict(model_path, reqs):
    lines = "".join(json.dumps(r) + "\n" for r in reqs)
    res = run([BINARY, "predict", "--model", model_path], stdin=lines)
    if res.returncode != 0:
        raise AssertionError(f"predict failed ({res.returncode}): {res.stderr}\n{res.stdout[:2000]}")
    return [json.loads(l) for l in res.stdout.splitlines()]


def rel_close(a, b, rel=1e-12):
    return a == b or abs(a - b) <= rel * max(abs(a), abs(b))


class ParityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from sklearn.neural_network import MLPClassifier
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler

        cls.tmp = tempfile.TemporaryDirectory()
        X, y = training_set(3000, seed=1)
        # Raw features into the MLP, as the prototype did.
        cls.raw = MLPClassifier(hidden_layer_sizes=(64, 32, 16), max_iter=40, random_state=42)
        cls.raw.fit(X, y)
        cls.scaled = Pipeline([("scaler", StandardScaler()),
                               ("mlp", MLPClassifier(hidden_layer_sizes=(32, 16),
                                                     activation="tanh", max_iter=60,
                                                     random_state=7))])
        cls.scaled.fit(X, y)
        cls.reqs = domain_requests(1200, seed=99)
        cls.X = features_of(cls.reqs)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def check_parity(self, estimator, name, pkl=None):
        """Imports `pkl` (default: pickle.dump of `estimator`) and compares with predict_proba."""
        if pkl is None:
            pkl = self.path(name + ".pkl")
            with open(pkl, "wb") as f:
                pickle.dump(estimator, f)
        model = self.path(name + ".json")
        res = import_model(pkl, model)
        self.assertEqual(res.returncode, 0, res.stderr)
        expected = estimator.predict_proba(self.X)
        got = predict(model, self.reqs)
        self.assertEqual(len(got), len(self.reqs))
        saturated = 0
        worst = 0.0
        for i, (row, out) in enumerate(zip(expected, got)):
            pred = out["prediction"]
            for want, have in ((row[1], pred["lambda_probability"]), (row[0], pred["ecs_probability"])):
                if want != have:
                    worst = max(worst, abs(want - have) / max(abs(want), abs(have)))
                self.assertTrue(rel_close(want, have),
                                f"{name} row {i} {self.reqs[i]}: sklearn {row} vs ours {pred}")
            self.assertEqual(pred["platform"], "lambda" if row[1] >= 0.5 else "ecs")
            saturated += row[1] in (0.0, 1.0) or row[1] < 1e-9 or row[1] > 1 - 1e-9
        print(f"{name}: {len(got)} inputs, {saturated} saturated, worst relative diff {worst:.3g}",
              file=sys.stderr)
        return saturated

    def test_raw_feature_mlp_matches_predict_proba(self):
        saturated = self.check_parity(self.raw, "raw")
        self.assertGreater(saturated, 10, "the domain sweep must reach saturated outputs")

    def test_scaled_pipeline_matches_predict_proba(self):
        self.check_parity(self.scaled, "scaled")

    def test_joblib_dump_imports_the_same_model(self):
        import joblib
        a, b = self.path("a.pkl"), self.path("b.joblib")
        with open(a, "wb") as f:
            pickle.dump(self.scaled, f)
        joblib.dump(self.scaled, b, compress=3)
        for src, out in ((a, "a.json"), (b, "b.json")):
            self.assertEqual(import_model(src, self.path(out)).returncode, 0)
        with open(self.path("a.json")) as fa, open(self.path("b.json")) as fb:
            da, db = json.load(fa), json.load(fb)
        da["metadata"]["source"].pop("pickle_sha256")
        db["metadata"]["source"].pop("pickle_sha256")
        self.assertEqual(da, db)

    def test_numpy2_pickle_loads(self):
        pkl = self.path("np2.pkl")
        with open(pkl, "wb") as f:
            f.write(numpy2_style_pickle(self.raw))
        # Debian's numpy alone cannot read it, as the prototype's users found.
        with self.assertRaisesRegex(ModuleNotFoundError, "numpy._core"):
            with open(pkl, "rb") as f:
                pickle.load(f)
        out = self.path("np2.json")
        res = import_model(pkl, out)
        self.assertEqual(res.returncode, 0, res.stderr)
        ref = self.path("np1.json")
        with open(self.path("np1.pkl"), "wb") as f:
            pickle.dump(self.raw, f)
        self.assertEqual(import_model(self.path("np1.pkl"), ref).returncode, 0)
        with open(out) as f2, open(ref) as f1:
            d2, d1 = json.load(f2), json.load(f1)
        self.assertEqual(d2["layers"], d1["layers"])

    def sklearn16_style_mlp(self):
        """An MLP as scikit-learn 1.6 leaves it after fitting on a DataFrame with string labels:
        classes_, its label binarizer's classes_ and feature_names_in_ are object arrays."""
        from sklearn.neural_network import MLPClassifier
        X, y = training_set(3000, seed=5)
        mlp = MLPClassifier(hidden_layer_sizes=(24, 12), max_iter=40, random_state=11)
        mlp.fit(X, np.where(y == 1, "lambda", "ecs"))
        mlp.classes_ = np.array(["ecs", "lambda"], dtype=object)
        mlp._label_binarizer.classes_ = np.array(["ecs", "lambda"], dtype=object)
        mlp.feature_names_in_ = np.array(seed_v1_names(), dtype=object)
        return mlp

    def test_numpy2_joblib_dump_with_object_arrays_matches_predict_proba(self):
        mlp = self.sklearn16_style_mlp()
        pkl = self.path("np2-objects.joblib")
        numpy2_style_joblib(mlp, pkl)
        with open(pkl, "rb") as f:
            blob = f.read()
        # The object arrays are their own protocol-2 pickles naming numpy 2's module, which
        # joblib reads with a plain pickle.load.
        self.assertEqual(blob.count(b"\x80\x02cnumpy._core.multiarray\n_reconstruct\n"), 3)
        self.check_parity(mlp, "np2-objects-joblib", pkl=pkl)

    def test_numpy2_pickle_with_object_arrays_matches_predict_proba(self):
        mlp = self.sklearn16_style_mlp()
        pkl = self.path("np2-objects.pkl")
        with open(pkl, "wb") as f:
            f.write(numpy2_style_pickle(mlp))
        self.check_parity(mlp, "np2-objects-pickle", pkl=pkl)

    def test_prototype_metadata_feeds_model_info(self):
        meta = self.path("model_metadata.json")
        with open(meta, "w") as f:
            json.dump({"model_type": "Neural Network", "training_date": "2025-11-23T15:06:49.593301",
                       "performance": {"test_accuracy": 0.6958543639766347, "roc_auc": 0.70212}}, f)
        pkl = self.path("meta.pkl")
        with open(pkl, "wb") as f:
            pickle.dump(self.raw, f)
        model = self.path("meta.json")
        self.assertEqual(import_model(pkl, model, "--metadata", meta).returncode, 0)
        out = predict(model, [{"workload_type": "lightweight_api", "payload_size_kb": 5.0,
                               "time_window": "midday", "load_pattern": "medium_load"}])[0]
        self.assertEqual(out["model_info"], {"model_type": "Neural Network",
                                             "test_accuracy": 0.6958543639766347,
                                             "training_date": "2025-11-23T15:06:49.593301"})


class RefusalTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def refused(self, obj, pattern, raw_bytes=None, marker=None):
        pkl = os.path.join(self.tmp.name, "x.pkl")
        with open(pkl, "wb") as f:
            f.write(raw_bytes if raw_bytes is not None else pickle.dumps(obj))
        out = os.path.join(self.tmp.name, "x.json")
        res = import_model(pkl, out)
        if marker:
            self.assertFalse(os.path.exists(marker), f"the pickle's code ran: {res.stderr}")
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertRegex(res.stderr, pattern)
        self.assertFalse(os.path.exists(out), "nothing may be written on refusal")
        self.assertEqual([n for n in os.listdir(self.tmp.name) if n != "x.pkl"], [])

    def test_other_estimators_are_refused(self):
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler
        X, y = training_set(300, seed=3)
        # Classes outside the allow-list are refused while unpickling, named.
        self.refused(LogisticRegression(max_iter=50).fit(X, y),
                     r"refusing to load sklearn\.linear_model\._logistic\.LogisticRegression ")
        self.refused(StandardScaler().fit(X), "unsupported estimator .*StandardScaler")

    def test_pipeline_with_other_steps_is_refused(self):
        from sklearn.decomposition import PCA
        from sklearn.neural_network import MLPClassifier
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler
        X, y = training_set(300, seed=3)
        pipe = Pipeline([("pca", PCA(5)), ("mlp", MLPClassifier((4,), max_iter=5))]).fit(X, y)
        self.refused(pipe, r"refusing to load sklearn\.decomposition\._pca\.PCA ")
        pipe = Pipeline([("mlp", MLPClassifier((4,), max_iter=5)), ("scaler", StandardScaler())])
        self.refused(pipe, r"unsupported Pipeline steps \['MLPClassifier', 'StandardScaler'\]")

    def test_unfitted_and_wrong_width_models_are_refused(self):
        from sklearn.neural_network import MLPClassifier
        self.refused(MLPClassifier(), "not fitted")
        X, y = training_set(300, seed=3)
        self.refused(MLPClassifier((4,), max_iter=5).fit(X[:, :7], y), "takes 7 features")

    def test_garbage_and_truncated_pickles_are_refused(self):
        self.refused(None, "cannot unpickle", raw_bytes=b"\x00garbage\xff" * 10)
        from sklearn.neural_network import MLPClassifier
        X, y = training_set(300, seed=3)
        blob = pickle.dumps(MLPClassifier((4,), max_iter=5).fit(X, y))
        self.refused(None, "cannot unpickle", raw_bytes=blob[: len(blob) // 2])

    def planted_calls(self, tag=""):
        """(hostile object, the global it names, the file it would create) triples."""
        touch = os.path.join(self.tmp.name, "touched" + tag)
        opened = os.path.join(self.tmp.name, "opened" + tag)
        return [(Planted(os.system, f"touch {touch}"), r"posix\.system", touch),
                (Planted(open, opened, "w"), r"io\.open", opened)]

    def refused_plant(self, raw_bytes, name, marker):
        try:
            self.refused(None, rf"refusing to load {name} from the pickle: only scikit-learn "
                         "MLP/scaler/pipeline and numpy classes are allowed",
                         raw_bytes=raw_bytes, marker=marker)
        finally:  # keep the next subtest's directory check independent of this one
            for leftover in (marker, os.path.join(self.tmp.name, "x.json")):
                if os.path.exists(leftover):
                    os.unlink(leftover)

    def fitted_mlp(self):
        from sklearn.neural_network import MLPClassifier
        X, y = training_set(300, seed=3)
        return MLPClassifier((4,), max_iter=5, random_state=1).fit(X, y)

    def joblib_bytes(self, obj):
        import joblib
        buf = io.BytesIO()
        joblib.dump(obj, buf)
        return buf.getvalue()

    def test_pickle_that_runs_code_is_refused_before_it_runs(self):
        for plant, name, marker in self.planted_calls():
            with self.subTest(name):
                self.refused_plant(pickle.dumps(plant), name, marker)

    def test_code_hidden_in_a_joblib_dump_is_refused(self):
        for plant, name, marker in self.planted_calls():
            with self.subTest(name):
                mlp = self.fitted_mlp()
                mlp.best_loss_ = plant  # a model that otherwise imports
                self.refused_plant(self.joblib_bytes(mlp), name, marker)

    def test_pickle_that_patches_an_allowed_class_is_refused(self):
        # BUILD on the class itself would set NumpyArrayWrapper.read_array for the whole load.
        blob = b"cjoblib.numpy_pickle\nNumpyArrayWrapper\n(N}S'read_array'\nNstb."
        self.refused(None, "refusing the pickle: it sets state on .*NumpyArrayWrapper",
                     raw_bytes=blob)

    def test_code_hidden_in_an_object_array_is_refused(self):
        # joblib writes object arrays as a separate pickle; pickle.dump keeps them inline.
        for how in ("joblib", "pickle"):
            for plant, name, marker in self.planted_calls(how):
                with self.subTest(f"{name} via {how}"):
                    mlp = self.fitted_mlp()
                    mlp.classes_ = np.array([0, plant], dtype=object)
                    blob = self.joblib_bytes(mlp) if how == "joblib" else pickle.dumps(mlp)
                    self.refused_plant(blob, name, marker)


class Planted:
    """Unpickling this calls `call(*args)`, as a hostile pickle does."""

    def __init__(self, call, *args):
        self.call, self.args = call, args

    def __reduce__(self):
        return self.call, self.args


def seed_v1_names():
    return ["workload_type_encoded", "payload_size_kb", "time_window_encoded",
            "load_pattern_encoded", "hour_of_day", "is_weekend", "lambda_memory_limit_mb",
            "payload_squared", "payload_log", "payload_workload_interaction",
            "payload_hour_interaction", "payload_time_window_interaction",
            "workload_time_window_interaction", "payload_load_pattern_interaction",
            "time_window_load_pattern_interaction"]


@contextlib.contextmanager
def numpy2_pickler():
    """Yields a pickle.Pickler subclass that writes as numpy 2.x does: arrays and scalars through
    numpy._core, the random state through numpy 2's constructors (numpy/random/bit_generator.pyx:
    the RandomState holds its bit generator, which pickles as its class and state)."""
    import numpy.core.multiarray as ma
    from numpy.random import _pickle as rp

    fake_core = types.ModuleType("numpy._core")
    fake_ma = types.ModuleType("numpy._core.multiarray")

    def _reconstruct(*a):
        return ma._reconstruct(*a)

    def scalar(*a):
        return ma.scalar(*a)

    for fn in (_reconstruct, scalar):
        fn.__module__ = "numpy._core.multiarray"
        fn.__qualname__ = fn.__name__
        setattr(fake_ma, fn.__name__, fn)

    def never_called(*a):
        raise AssertionError("never called while pickling")

    ctors = {}
    for name in ("__randomstate_ctor", "__bit_generator_ctor"):
        ctors[name] = types.FunctionType(never_called.__code__, {}, name)
        ctors[name].__module__ = "numpy.random._pickle"
        ctors[name].__qualname__ = name

    saved = {k: sys.modules.get(k) for k in ("numpy._core", "numpy._core.multiarray")}
    sys.modules["numpy._core"] = fake_core
    sys.modules["numpy._core.multiarray"] = fake_ma
    fake_core.multiarray = fake_ma
    original_ctors = {name: rp.__dict__[name] for name in ctors}
    rp.__dict__.update(ctors)
    try:
        class Numpy2Pickler(pickle.Pickler):
            def reducer_override(self, obj):
                if isinstance(obj, np.ndarray) and type(obj) is np.ndarray:
                    fn, args, state = obj.__reduce__()
                    return (_reconstruct, args, state)
                if isinstance(obj, np.generic):
                    fn, args = obj.__reduce__()[:2]
                    return (scalar, args)
                if isinstance(obj, np.random.RandomState):
                    return (ctors["__randomstate_ctor"], (obj._bit_generator,),
                            obj.get_state(legacy=False))
                if isinstance(obj, np.random.BitGenerator):
                    # numpy 2's legacy seeding (all a RandomState does) drops the seed sequence.
                    return (ctors["__bit_generator_ctor"], (type(obj),), (obj.state, None))
                return NotImplemented

        yield Numpy2Pickler
    finally:
        rp.__dict__.update(original_ctors)
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


def numpy2_style_pickle(estimator):
    """pickle.dumps(estimator) as numpy 2.x writes it."""
    with numpy2_pickler() as Numpy2Pickler:
        buf = io.BytesIO()
        Numpy2Pickler(buf, protocol=4).dump(estimator)
        return buf.getvalue()


def numpy2_style_joblib(estimator, path):
    """joblib.dump(estimator, path) as joblib writes it under numpy 2.x: numeric arrays as raw
    bytes after a NumpyArrayWrapper, object arrays as their own protocol-2 pickle (joblib's
    NumpyArrayWrapper.write_array), which then also names numpy._core."""
    import joblib.numpy_pickle as jnp

    with numpy2_pickler() as Numpy2Pickler:
        class Numpy2JoblibPickler(jnp.NumpyPickler):
            reducer_override = Numpy2Pickler.reducer_override

            def save(self, obj):
                if type(obj) is np.ndarray and obj.dtype.hasobject:
                    pickle._Pickler.save(self, self._create_array_wrapper(obj))
                    self.framer.commit_frame(force=True)
                    Numpy2Pickler(self.file_handle, protocol=2).dump(obj)
                    return
                super().save(obj)

        with open(path, "wb") as f:
            Numpy2JoblibPickler(f).dump(estimator)


if __name__ == "__main__":
    warnings.simplefilter("ignore")  # scikit-learn's convergence warnings on tiny fits
    if "--binary" in sys.argv:
        i = sys.argv.index("--binary")
        BINARY = os.path.abspath(sys.argv[i + 1])
        del sys.argv[i:i + 2]
    if not BINARY or not os.access(BINARY, os.X_OK):
        sys.exit("test_importer.py: pass --binary path/to/hybrid-router")
    unittest.main()

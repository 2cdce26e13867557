#!/usr/bin/python3
"""End-to-end checks of tools/import_sklearn.py with the C++ predictor: MLPs trained here with
Debian's scikit-learn, imported, then run by `hybrid-router predict`; probabilities must equal
predict_proba to 1e-12 relative. Also: numpy-2 style pickles (pickle and joblib, object arrays),
refused estimators, bad pickles, and pickles that would run code; size and depth limits, hostile
pickles that crashed or hung the importer (regressions), and a bounded, deterministic mutation
fuzz of the importer's own loading path (libFuzzer cannot drive Python here: no atheris).

Usage: test_importer.py --binary build/.../hybrid-router [unittest args]
"""

import contextlib
import datetime
import faulthandler
import hashlib
import importlib.util
import io
import json
import math
import os
import pickle
import pickletools
import random
import resource
import signal
import struct
import subprocess
import sys
import tempfile
import time
import types
import unittest
import warnings
import zlib

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
    """An independent Python statement of the seed-v1 contract (docs/design.md)."""
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


# ---------------------------------------------------------------------------------------------
# Hostile pickles, written opcode by opcode, and a mutation fuzz of the importer's loading path.

_IMPORTER_MODULE = None


def importer_module():
    """tools/import_sklearn.py as a module, to drive its loading path in-process."""
    global _IMPORTER_MODULE
    if _IMPORTER_MODULE is None:
        spec = importlib.util.spec_from_file_location("import_sklearn_under_test", IMPORTER)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _IMPORTER_MODULE = module
    return _IMPORTER_MODULE


class Op:
    """Pickle opcodes (pickletools' names), for pickles no pickler writes."""
    PROTO2, PROTO4 = b"\x80\x02", b"\x80\x04"
    MARK, STOP, POP, DUP = b"(", b".", b"0", b"2"
    NONE, FALSE, TRUE = b"N", b"\x89", b"\x88"
    EMPTY_TUPLE, TUPLE, TUPLE1, TUPLE2, TUPLE3 = b")", b"t", b"\x85", b"\x86", b"\x87"
    EMPTY_LIST, LIST, APPEND = b"]", b"l", b"a"
    EMPTY_DICT, SETITEM, FROZENSET = b"}", b"s", b"\x91"
    REDUCE, BUILD, NEWOBJ, STACK_GLOBAL = b"R", b"b", b"\x81", b"\x93"
    READONLY_BUFFER = b"\x98"

    @staticmethod
    def glob(module, name):  # GLOBAL
        return b"c" + module.encode("latin-1") + b"\n" + name.encode("latin-1") + b"\n"

    @staticmethod
    def i32(n):  # BININT
        return b"J" + struct.pack("<i", n)

    @staticmethod
    def raw(data):  # SHORT_BINBYTES / BINBYTES
        if len(data) < 256:
            return b"C" + bytes([len(data)]) + data
        return b"B" + struct.pack("<I", len(data)) + data

    @staticmethod
    def text(s):  # BINUNICODE
        data = s.encode()
        return b"X" + struct.pack("<I", len(data)) + data

    @staticmethod
    def put(i):  # LONG_BINPUT
        return b"r" + struct.pack("<I", i)

    @staticmethod
    def get(i):  # LONG_BINGET
        return b"j" + struct.pack("<I", i)


def op_dtype(spec, endian=None, flags=None):
    """numpy.dtype(spec, False, True) as numpy pickles it; BUILD with state
    (3, endian, None, None, None, -1, -1, flags) when endian is given."""
    out = Op.glob("numpy", "dtype") + Op.text(spec) + Op.FALSE + Op.TRUE + Op.TUPLE3 + Op.REDUCE
    if endian is not None:
        out += (Op.MARK + Op.i32(3) + Op.text(endian) + Op.NONE * 3 + Op.i32(-1) * 2
                + Op.i32(flags) + Op.TUPLE + Op.BUILD)
    return out


def op_array(shape, dtype_ops, data_ops):
    """An array as numpy pickles one: _reconstruct(ndarray, (0,), b'b'), then BUILD with
    (1, shape, dtype, False, data)."""
    return (Op.glob("numpy.core.multiarray", "_reconstruct") + Op.glob("numpy", "ndarray")
            + Op.i32(0) + Op.TUPLE1 + Op.raw(b"b") + Op.TUPLE3 + Op.REDUCE
            + Op.MARK + Op.i32(1) + Op.MARK + b"".join(Op.i32(n) for n in shape) + Op.TUPLE
            + dtype_ops + Op.FALSE + data_ops + Op.TUPLE + Op.BUILD)


OBJECT_DTYPE = op_dtype("O8", "|", 63)
FLOAT_DTYPE = op_dtype("f8", "<", 0)


def op_estimator(module, name, state_items):
    """cls.__new__(cls) with NEWOBJ, then BUILD with a dict of (key, value ops)."""
    out = Op.glob(module, name) + Op.EMPTY_TUPLE + Op.NEWOBJ + Op.EMPTY_DICT
    for key, value in state_items:
        out += Op.text(key) + value + Op.SETITEM
    return out + Op.BUILD


def nested_object_arrays(depth):
    """`depth` object arrays each holding the one before, built through the memo so neither the
    stack nor the MARKs nest: numpy frees them by C recursion (a crash at ~3,500 on this machine
    before the importer capped object arrays)."""
    out = (Op.PROTO2 + Op.glob("numpy.core.multiarray", "_reconstruct") + Op.put(0) + Op.POP
           + Op.glob("numpy", "ndarray") + Op.put(1) + Op.POP + OBJECT_DTYPE + Op.put(2) + Op.POP
           + Op.NONE + Op.put(3) + Op.POP)
    for level in range(depth):
        out += (Op.get(0) + Op.get(1) + Op.i32(0) + Op.TUPLE1 + Op.raw(b"b") + Op.TUPLE3
                + Op.REDUCE + Op.MARK + Op.i32(1) + Op.i32(1) + Op.TUPLE1 + Op.get(2) + Op.FALSE
                + Op.EMPTY_LIST + Op.get(3 + level) + Op.APPEND + Op.TUPLE + Op.BUILD
                + Op.put(4 + level) + Op.POP)
    return out + Op.get(3 + depth) + Op.STOP


def hash_bomb(depth=64):
    """A tuple of two references to the tuple before, `depth` times: hashing it (as a dict key)
    takes 2**depth steps; it hung the importer."""
    return Op.EMPTY_TUPLE + (Op.DUP + Op.TUPLE2) * depth


def length_claim(opcode, claim):
    """An opcode whose length field claims `claim` bytes, followed by a few bytes and STOP."""
    fields = {"BINBYTES8": (b"\x8e", "<Q"), "BINUNICODE8": (b"\x8d", "<Q"),
              "BYTEARRAY8": (b"\x96", "<Q"), "FRAME": (b"\x95", "<Q"), "BINBYTES": (b"B", "<I"),
              "BINUNICODE": (b"X", "<I"), "BINSTRING": (b"T", "<i"), "LONG4": (b"\x8b", "<i")}
    code, fmt = fields[opcode]
    claim = min(claim, {"<Q": 2**64 - 1, "<I": 2**32 - 1, "<i": 2**31 - 1}[fmt])
    return b"\x80\x05" + code + struct.pack(fmt, claim) + b"abc" + Op.STOP


def tiny_models():
    """A small fitted MLPClassifier, a Pipeline(StandardScaler, MLPClassifier) and an MLP with
    object arrays (string classes and feature names, as scikit-learn 1.6 leaves them), all of
    which convert."""
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    X, y = training_set(200, seed=3)
    mlp = MLPClassifier((5,), max_iter=3, random_state=1).fit(X, y)
    pipe = Pipeline([("scaler", StandardScaler()),
                     ("mlp", MLPClassifier((4, 3), max_iter=3, random_state=2))]).fit(X, y)
    objects = MLPClassifier((3,), max_iter=3, random_state=3).fit(X, np.where(y, "lambda", "ecs"))
    objects.classes_ = np.array(["ecs", "lambda"], dtype=object)
    objects._label_binarizer.classes_ = np.array(["ecs", "lambda"], dtype=object)
    objects.feature_names_in_ = np.array(seed_v1_names(), dtype=object)
    return mlp, pipe, objects


def joblib_bytes(obj, compress=0):
    import joblib
    buf = io.BytesIO()
    joblib.dump(obj, buf, compress=compress)
    return buf.getvalue()


def fuzz_seeds(markers):
    """The fuzz's starting points as [(name, bytes)]: small models as pickle.dump (protocols 2, 4,
    5) and joblib.dump (plain and zlib) write them; other opcodes (protocols 0, 1, 5); and pickles
    that would run os.system, builtins.open or subprocess.Popen to create a file in `markers`
    (by GLOBAL, STACK_GLOBAL, inside a model and inside a joblib object array)."""
    mlp, pipe, objects = tiny_models()
    seeds = []
    for name, model in (("mlp", mlp), ("pipeline", pipe)):
        for protocol in (2, 4, 5):
            seeds.append((f"{name} protocol {protocol}", pickle.dumps(model, protocol=protocol)))
        seeds.append((f"{name} joblib", joblib_bytes(model)))
        seeds.append((f"{name} joblib zlib", joblib_bytes(model, compress=3)))
    seeds.append(("object arrays protocol 4", pickle.dumps(objects, protocol=4)))
    seeds.append(("object arrays joblib", joblib_bytes(objects)))
    misc = {"a": [1, -5, 2.5, None, True, False, b"x", bytearray(b"yz"), (1, 2, 3),
                  frozenset({"q"}), {"s"}, 10**30, "\u00e9", ("t",) * 4], "b": {"c": (), "d": []}}
    for protocol in (0, 1, 5):
        seeds.append((f"misc protocol {protocol}", pickle.dumps(misc, protocol=protocol)))
    seeds.append(("os.system by GLOBAL", Op.PROTO2 + Op.glob("os", "system")
                  + Op.text(f"touch {markers[0]}") + Op.TUPLE1 + Op.REDUCE + Op.STOP))
    seeds.append(("builtins.open by STACK_GLOBAL", Op.PROTO4 + Op.text("builtins") + Op.text("open")
                  + Op.STACK_GLOBAL + Op.text(markers[1]) + Op.text("w") + Op.TUPLE2 + Op.REDUCE
                  + Op.STOP))
    seeds.append(("subprocess.Popen", Op.PROTO2 + Op.glob("subprocess", "Popen") + Op.MARK
                  + Op.text("touch") + Op.text(markers[2]) + Op.LIST + Op.TUPLE1 + Op.REDUCE
                  + Op.STOP))
    hostile = pickle.loads(pickle.dumps(mlp))
    hostile.best_loss_ = Planted(os.system, f"touch {markers[3]}")
    seeds.append(("posix.system inside a model", pickle.dumps(hostile, protocol=2)))
    hostile = pickle.loads(pickle.dumps(objects))
    hostile.classes_ = np.array(["ecs", Planted(open, markers[4], "w")], dtype=object)
    seeds.append(("io.open inside a joblib object array", joblib_bytes(hostile)))
    return seeds


_OPCODE_BYTES = sorted({ord(op.code) for op in pickletools.opcodes})
_INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff]
_INTERESTING_INTS = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0xffff, 2**31 - 1, 2**31, 2**32 - 1,
                     2**34, 2**62, 2**63 - 1, 2**64 - 1]


def _zlib_stream(data):
    """The pickle stream inside a joblib zlib file (joblib's zlib files start with 0x78)."""
    return zlib.decompress(data) if data[:1] == b"\x78" else data


def mutate(rng, data, seeds):
    """One mutation of `data`: (new data, what was done)."""
    n = len(data)
    pos = rng.randrange(n) if n else 0
    kind = rng.randrange(8) if n else 3
    if kind == 0:
        bit = rng.randrange(8)
        return data[:pos] + bytes([data[pos] ^ (1 << bit)]) + data[pos + 1:], f"flip {pos}.{bit}"
    if kind == 1:
        value = rng.choice(_INTERESTING_BYTES + _OPCODE_BYTES)
        return data[:pos] + bytes([value]) + data[pos + 1:], f"set {pos}={value:#x}"
    if kind == 2:  # a length, count or index field made interesting
        width = rng.choice((1, 2, 4, 8))
        value = rng.choice(_INTERESTING_INTS) & ((1 << (8 * width)) - 1)
        return (data[:pos] + value.to_bytes(width, "little") + data[pos + width:],
                f"int{8 * width} {pos}={value:#x}")
    if kind == 3:
        how = rng.randrange(3)
        if how == 0:
            chunk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif how == 1:
            chunk = bytes(rng.choice(_OPCODE_BYTES) for _ in range(rng.randint(1, 4)))
        else:
            start = rng.randrange(n) if n else 0
            chunk = data[start:start + rng.randint(1, 256)]
        return data[:pos] + chunk + data[pos:], f"insert {len(chunk)} at {pos}"
    if kind == 4:
        length = rng.randint(1, min(64, n - pos))
        return data[:pos] + data[pos + length:], f"delete {length} at {pos}"
    if kind == 5:
        name, other = seeds[rng.randrange(len(seeds))]
        other = _zlib_stream(other)
        cut = rng.randrange(len(other) + 1)
        return data[:pos] + other[cut:], f"splice [{pos}:] <- {name}[{cut}:]"
    if kind == 6:
        return data[:pos], f"truncate {pos}"
    start, length = rng.randrange(n), rng.randint(1, 64)  # overwrite with a copy of elsewhere
    chunk = data[start:start + length]
    return data[:pos] + chunk + data[pos + len(chunk):], f"copy [{start}:+{len(chunk)}] to {pos}"


def fuzz_case(index, seeds):
    """Case `index` as (bytes, description): the seed itself for the first len(seeds) cases,
    then 1-4 mutations of one; the same every run (each case has its own seeded Random). A zlib
    joblib seed is mostly mutated decompressed and compressed again, to reach its pickle."""
    if index < len(seeds):
        name, data = seeds[index]
        return data, f"case {index}: seed {name!r}"
    rng = random.Random(f"import_sklearn fuzz {index}")
    name, data = seeds[rng.randrange(len(seeds))]
    inner = data[:1] == b"\x78" and rng.random() < 0.75
    if inner:
        data = zlib.decompress(data)
    steps = []
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):
        data, step = mutate(rng, data, seeds)
        steps.append(step)
    if inner:
        data = zlib.compress(data, 3)
    return data, f"case {index}: {name!r}{' decompressed' if inner else ''}: {'; '.join(steps)}"


class CaseTimeout(BaseException):
    pass


# Audit events no model load has reason to raise (sys.addaudithook: the hook stays for the
# process, so it records only while _AUDIT["on"]).
_DANGEROUS_EVENTS = {
    "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "os.kill",
    "subprocess.Popen", "pty.spawn", "ctypes.dlopen", "ctypes.dlsym", "ctypes.call_function",
    "socket.connect", "socket.bind", "exec", "compile", "os.remove", "os.rename", "os.rmdir",
    "os.chmod", "os.symlink", "os.link", "shutil.rmtree", "os.truncate", "os.putenv",
    "os.unsetenv", "urllib.Request", "webbrowser.open", "marshal.loads", "code.__new__",
    "function.__new__", "object.__setattr__", "object.__delattr__", "sys._getframe",
}
_AUDIT = {"on": False, "allowed_opens": set(), "events": []}


def _audit_hook(event, args):
    if not _AUDIT["on"]:
        return
    if event in _DANGEROUS_EVENTS:
        _AUDIT["events"].append((event, repr(args)[:200]))
    elif event == "open":
        path, mode = args[0], args[1]
        if path not in _AUDIT["allowed_opens"] or (mode and any(c in str(mode) for c in "wax+")):
            _AUDIT["events"].append((event, repr(args)[:200]))


_AUDIT_INSTALLED = []


def install_audit_hook():
    if not _AUDIT_INSTALLED:
        sys.addaudithook(_audit_hook)
        _AUDIT_INSTALLED.append(True)


class HostilePickleTest(unittest.TestCase):
    """Size and depth limits, and pickles that crashed, hung or bloated the importer before it
    checked what it reads, calls and builds: each a regression test (the crashes through the
    CLI, so that one again fails this test instead of killing it)."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.imp = importer_module()

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def write(self, data, name="x.pkl"):
        with open(self.path(name), "wb") as f:
            f.write(data)
        return self.path(name)

    def cli(self, data, *extra, expect=2, pattern=None):
        pkl = self.write(data) if data is not None else self.path("x.pkl")
        out = self.path("x.json")
        if os.path.exists(out):
            os.unlink(out)
        start = time.monotonic()
        res = subprocess.run([sys.executable, IMPORTER, pkl, "-o", out, *extra],
                             capture_output=True, text=True, timeout=300)
        elapsed = time.monotonic() - start
        self.assertEqual(res.returncode, expect, res.stderr[-3000:])
        self.assertNotIn("Traceback", res.stderr)
        self.assertEqual(os.path.exists(out), expect == 0, "output only on success")
        if pattern:
            self.assertRegex(res.stderr, pattern)
        return res, elapsed

    def refused(self, data, pattern):
        """In-process: _load_pickle (then convert, as main does) refuses `data` as `pattern`
        says; a hang ends after 20 s as a failure."""
        def alarm(signum, frame):
            raise CaseTimeout("no answer in 20 s")
        previous = signal.signal(signal.SIGALRM, alarm)
        signal.alarm(20)
        try:
            with self.assertRaisesRegex(self.imp.ImportError_, pattern):
                with contextlib.redirect_stderr(io.StringIO()):
                    estimator = self.imp._load_pickle(self.write(data))
                    args = self.imp._parser().parse_args([self.path("x.pkl"), "-o", "unused"])
                    self.imp.convert(estimator, args, "0" * 64)
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)

    def test_file_over_max_mb_is_refused_unread(self):
        # 8 GiB, sparse: reading (or hashing) it would take far longer than refusing it.
        with open(self.path("x.pkl"), "wb") as f:
            f.truncate(8 << 30)
        if os.stat(self.path("x.pkl")).st_blocks > 1024:
            self.skipTest("this file system does not make sparse files")
        res, elapsed = self.cli(None, pattern=r"x\.pkl is 8589934592 bytes \(8192\.0 MiB\), more "
                                r"than the --max-mb limit of 256 MiB; not reading it")
        self.assertLess(elapsed, 20)
        # The limit is inclusive: a model padded to exactly 1 MiB imports under --max-mb 1.
        blob = pickle.dumps(tiny_models()[0])
        blob += b"\0" * ((1 << 20) - len(blob))  # pickle stops at STOP
        self.cli(blob, "--max-mb", "1", expect=0)
        self.cli(blob + b"\0", "--max-mb", "1", pattern=r"is 1048577 bytes \(1\.0 MiB\), more "
                 "than the --max-mb limit of 1 MiB")
        for bad in ("0", "4097"):
            self.cli(blob, "--max-mb", bad, pattern="--max-mb must be within 1..4096")
        # Nor is anything but a regular file read: a FIFO would block, /dev/zero never end.
        os.unlink(self.path("x.pkl"))
        os.mkfifo(self.path("x.pkl"))
        self.cli(None, pattern=r"x\.pkl is not a regular file")

    def test_decompressed_stream_over_max_mb_is_refused(self):
        # A few KiB of zlib holding 2 MiB of bytes: the limit is on the pickle, not the file.
        two_mib = b"\x80\x04\x8e" + struct.pack("<Q", 2 << 20) + b"\0" * (2 << 20) + Op.STOP
        framed = b"\x80\x04\x95" + struct.pack("<Q", len(two_mib)) + two_mib
        for stream in (two_mib, framed):
            packed = zlib.compress(stream, 9)
            self.assertLess(len(packed), 10000)
            self.cli(packed, "--max-mb", "1", pattern=r"more than the 1048\d+ bytes left of it "
                     r"\(--max-mb 1\)")
            self.cli(packed, "--max-mb", "3", pattern="unsupported estimator builtins.bytes")

    def test_huge_length_claims_allocate_nothing(self):
        # Each length field claims up to 2**62 bytes in a file of a few: refused (over --max-mb)
        # or found truncated, before anything of that size is allocated. The address space is
        # held to 1 GiB more than now, so an allocation would fail rather than eat the machine.
        with open("/proc/self/status") as f:
            vm = next(int(line.split()[1]) << 10 for line in f if line.startswith("VmSize:"))
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (vm + (1 << 30), hard))
        try:
            for opcode in ("BINBYTES8", "BINUNICODE8", "BYTEARRAY8", "FRAME", "BINBYTES",
                           "BINUNICODE", "BINSTRING", "LONG4"):
                for claim in (2**62, 2**34, 2**31 - 1, 1 << 20):
                    for packed in (False, True):
                        with self.subTest(opcode=opcode, claim=claim, zlib=packed):
                            data = length_claim(opcode, claim)
                            path = self.write(zlib.compress(data) if packed else data)
                            with self.assertRaises(Exception) as caught:
                                self.imp._load_pickle(path)
                            e = caught.exception
                            self.assertNotIsInstance(e, MemoryError)
                            if claim > 256 << 20:
                                self.assertIsInstance(e, self.imp.ImportError_)
                                self.assertRegex(str(e), r"left of it \(--max-mb 256\)")
                            elif not packed:  # the file's size is known: truncated
                                self.assertRegex(str(e), "the pickle is truncated")
        finally:
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))

    def test_deep_nesting_is_refused_or_harmless(self):
        n = 1_000_000
        # Nested by the stack (EMPTY_LIST n times, APPEND n-1 times) and through TUPLE1 alone:
        # CPython frees and prints these without recursion, so they load, and are refused as
        # what they are.
        self.cli(Op.PROTO2 + Op.EMPTY_LIST * n + Op.APPEND * (n - 1) + Op.STOP,
                 pattern="unsupported estimator builtins.list")
        self.cli(Op.PROTO2 + Op.EMPTY_TUPLE + Op.TUPLE1 * n + Op.STOP,
                 pattern="unsupported estimator builtins.tuple")
        # MARK chains are cut at 1000, and any pickle at 4,000,000 opcodes.
        self.cli(Op.PROTO2 + Op.MARK * n + Op.LIST * n + Op.STOP,
                 pattern="it nests MARKs more than 1000 deep")
        self.cli(Op.PROTO2 + (Op.NONE + Op.POP) * 2_000_001 + Op.NONE + Op.STOP,
                 pattern="it runs more than 4000000 opcodes")

    def test_object_arrays_that_crashed_numpy_are_refused(self):
        # Each of these killed the importer with SIGSEGV (exit 139) inside numpy 1.24.
        # An object array whose state lists fewer items than its shape: numpy reads past them.
        self.cli(Op.PROTO2 + op_array((100000,), OBJECT_DTYPE, Op.EMPTY_LIST + Op.i32(1)
                                      + Op.APPEND) + Op.STOP,
                 pattern="an object array of 100000 items whose state is not a list of 100000")
        # An object dtype whose state clears its flags: the array's bytes become object
        # pointers, here dereferenced when convert walks a Pipeline's steps.
        forged = op_array((2,), op_dtype("O8", "|", 0), Op.raw(b"\x01" * 16))
        self.cli(Op.PROTO2 + op_estimator("sklearn.pipeline", "Pipeline", [("steps", forged)])
                 + Op.STOP, pattern="a state for the dtype object that is not its own")
        # Object arrays nested 4000 deep: numpy frees them by C recursion, past the stack.
        self.cli(nested_object_arrays(4000), pattern="it holds more than 256 object arrays")
        self.refused(nested_object_arrays(300), "it holds more than 256 object arrays")

    def test_array_state_is_set_once_on_a_fresh_array(self):
        # A view of an array, then a new state for the array: numpy freed the memory the view
        # still read (use after free). Views of arrays are refused, and so is a second state.
        array = op_array((1000,), FLOAT_DTYPE, Op.raw(b"\1" * 8000)) + Op.put(0)
        self.refused(Op.PROTO2 + array + Op.POP + Op.glob("numpy.core.numeric", "_frombuffer")
                     + Op.MARK + Op.get(0) + FLOAT_DTYPE + Op.i32(1000) + Op.TUPLE1
                     + Op.text("C") + Op.TUPLE + Op.REDUCE + Op.STOP,
                     "_frombuffer called with other than the bytes of a plain array")
        again = (Op.MARK + Op.i32(1) + Op.MARK + Op.i32(1) + Op.TUPLE + FLOAT_DTYPE + Op.FALSE
                 + Op.raw(b"\0" * 8) + Op.TUPLE + Op.BUILD)
        self.refused(Op.PROTO2 + array + again + Op.STOP, "it sets the state of an array twice")

    def test_hash_bomb_keys_are_refused(self):
        # Dict keys and set items hash as the pickle built them: a tuple sharing its halves 64
        # levels deep takes 2**64 steps to hash. The importer hung on each of these.
        bomb = hash_bomb(64)
        self.refused(Op.PROTO2 + Op.EMPTY_DICT + bomb + Op.NONE + Op.SETITEM + Op.STOP,
                     "a dict key that is a builtins.tuple object, not a string")
        self.refused(Op.PROTO2 + Op.MARK + bomb + Op.NONE + b"d" + Op.STOP, "a dict key")
        self.refused(Op.PROTO4 + Op.MARK + bomb + Op.FROZENSET + Op.STOP, "a set item")
        self.refused(Op.PROTO2 + op_estimator("sklearn.pipeline", "Pipeline",
                                              [("_sklearn_version", bomb)]) + Op.STOP,
                     "_sklearn_version is not a string")  # formatted into a warning

    def test_only_what_a_model_pickle_calls_is_called(self):
        # AdamOptimizer(params) makes a zeroed copy of every array it is given: a list of one
        # 1 MiB array 20,000 times (a few KiB of pickle) is 20 GiB. A model pickle never calls
        # an estimator or optimizer; it makes them with NEWOBJ, so only that is allowed.
        self.refused(Op.PROTO2 + Op.glob("sklearn.neural_network._stochastic_optimizers",
                                         "AdamOptimizer") + Op.EMPTY_LIST + Op.TUPLE1 + Op.REDUCE
                     + Op.STOP, r"it calls sklearn\.neural_network\._stochastic_optimizers\."
                     "AdamOptimizer")
        self.refused(Op.PROTO2 + Op.glob("numpy", "ndarray") + Op.i32(4) + Op.TUPLE1 + Op.TUPLE1
                     + Op.NEWOBJ + Op.STOP, r"it makes numpy\.ndarray with NEWOBJ")
        self.refused(Op.PROTO2 + Op.glob("numpy", "ndarray") + Op.i32(4) + Op.TUPLE1
                     + Op.REDUCE + Op.STOP, r"it calls numpy\.ndarray")
        self.refused(Op.PROTO2 + op_array((2,), FLOAT_DTYPE, Op.raw(b"\0" * 16)) + Op.i32(0)
                     + Op.i32(1) + Op.SETITEM + Op.STOP, r"SETITEM on a numpy\.ndarray object")
        self.refused(Op.PROTO2 + Op.raw(b"abc") + Op.READONLY_BUFFER + Op.STOP,
                     "READONLY_BUFFER opcode")
        self.refused(Op.PROTO2 + Op.glob("numpy", "dtype") + Op.EMPTY_LIST + Op.TUPLE1
                     + Op.REDUCE + Op.STOP, "numpy.dtype called with other than a short type")
        self.refused(Op.PROTO2 + Op.glob("numpy.core.multiarray", "_reconstruct")
                     + Op.glob("numpy", "ndarray") + Op.i32(1 << 30) + Op.TUPLE1 + Op.raw(b"f8")
                     + Op.TUPLE3 + Op.REDUCE + Op.STOP, "_reconstruct called with other than")

    def test_state_cannot_name_a_method(self):
        # pickle's BUILD calls inst.__setstate__(state): an earlier BUILD that made __setstate__
        # an instance attribute had the next one call any allowed class with the pickle's
        # arguments (AdamOptimizer, above). State is now set through the class, and may not
        # hide a method (joblib's read_array, called on each array header) or name a dunder.
        adam = Op.glob("sklearn.neural_network._stochastic_optimizers", "AdamOptimizer")
        self.refused(Op.PROTO2 + op_estimator("sklearn.neural_network._multilayer_perceptron",
                                              "MLPClassifier", [("__setstate__", adam)])
                     + Op.EMPTY_DICT + Op.BUILD + Op.STOP,
                     "it sets __setstate__ on a sklearn.neural_network.*MLPClassifier object")
        self.refused(Op.PROTO2 + op_estimator("joblib.numpy_pickle", "NumpyArrayWrapper",
                                              [("read_array", adam)]) + Op.STOP,
                     "it sets read_array on a joblib.numpy_pickle.NumpyArrayWrapper object")

    def test_models_with_missing_or_mistyped_parts_are_refused(self):
        # Found by the fuzz (and by hand): convert used what the pickle held unchecked, and a
        # missing attribute or one of another type ended the CLI with a traceback (exit 1).
        import copy
        mlp, pipe, _ = tiny_models()
        for attr, pattern in (("n_outputs_", "out_activation_ or n_outputs_ is missing"),
                              ("classes_", "classes_ is a builtins.NoneType, not a 1-D array"),
                              ("intercepts_", "coefs_ and intercepts_ are not two lists"),
                              ("activation", "hidden activation a builtins.NoneType is not"),
                              ("out_activation_", "out_activation_ or n_outputs_ is missing")):
            broken = copy.deepcopy(mlp)
            delattr(broken, attr)
            with self.subTest(missing=attr):
                self.refused(pickle.dumps(broken), pattern)

        def changed(model, pattern, **attrs):
            broken = copy.deepcopy(model)
            target = broken.steps[0][1] if attrs.pop("scaler", False) else broken
            for k, v in attrs.items():
                setattr(target, k, v)
            with self.subTest(pattern):
                self.refused(pickle.dumps(broken), pattern)

        changed(mlp, "coefs_ and intercepts_ are not two lists", coefs_="x")
        changed(mlp, r"coefs_\[0\] is a 2-D object array, not a 2-D array of floats",
                coefs_=[mlp.coefs_[0].astype(object), mlp.coefs_[1]])
        changed(mlp, r"layer 1's weights \(1, 5\) and bias \(1,\) do not fit",
                coefs_=[mlp.coefs_[0], mlp.coefs_[1].T])
        changed(mlp, "classes_ is a 2-D int64 array", classes_=np.array([[0, 1]]))
        changed(mlp, "classes_ holds a builtins.list",
                classes_=np.array([0, [1, [2]]], dtype=object))
        changed(mlp, "out_activation_ or n_outputs_ is missing or not a name",
                out_activation_=np.array(["logistic"]))
        changed(mlp, "hidden activation a builtins.list is not supported", activation=["relu"])
        changed(mlp, "feature_names_in_ is a builtins.list", feature_names_in_=[["x"]] * 15)
        changed(pipe, "steps are not a list of .name, estimator. pairs", steps=5)
        changed(pipe, "steps are not a list of .name, estimator. pairs", steps=[("a",)])
        changed(pipe, "with_mean or with_std is not a flag", scaler=True,
                with_mean=np.array([1, 2]))
        changed(pipe, "scaler.mean_ is a builtins.NoneType", scaler=True, mean_=None)
        # hidden_layer_sizes=5 (an int, which scikit-learn accepts) failed in _metadata.
        hidden = copy.deepcopy(mlp)
        hidden.hidden_layer_sizes = 5
        self.cli(pickle.dumps(hidden), expect=0)
        with open(self.path("x.json")) as f:
            self.assertEqual(json.load(f)["metadata"]["source"]["hidden_layer_sizes"], [5])

    def test_main_reports_every_failure_with_exit_2(self):
        # Neither loading nor convert recurses on what a pickle holds, nor allocates what it
        # claims; should a RecursionError or MemoryError (or anything else) still come, main
        # reports it like any bad pickle.
        from unittest import mock
        pkl = self.write(pickle.dumps(tiny_models()[0]))
        out = self.path("x.json")
        for where, error, pattern in (
                ("_load_pickle", RecursionError("maximum recursion depth exceeded"),
                 "cannot unpickle .*x.pkl: RecursionError: maximum recursion"),
                ("_load_pickle", MemoryError(), "cannot unpickle .*x.pkl: MemoryError"),
                ("convert", RecursionError("maximum recursion depth exceeded"),
                 "cannot convert .*x.pkl: RecursionError: maximum recursion"),
                ("convert", MemoryError(), "cannot convert .*x.pkl: MemoryError"),
                ("convert", TypeError("\x1b[2J" + "x" * 10000),
                 r"cannot convert .*x.pkl: TypeError: \\x1b\[2Jx+\.\.\.")):
            with self.subTest(where=where, error=type(error).__name__):
                err = io.StringIO()
                with mock.patch.object(self.imp, where, side_effect=error), \
                        contextlib.redirect_stderr(err):
                    self.assertEqual(self.imp.main([pkl, "-o", out]), 2)
                self.assertRegex(err.getvalue(), "^import_sklearn: " + pattern)
                self.assertLess(len(err.getvalue()), 1000)
                self.assertFalse(os.path.exists(out))

    def test_pickle_text_in_messages_is_bounded_and_escaped(self):
        self.refused(Op.PROTO2 + Op.glob("m" * 100_000, "x") + Op.STOP,
                     "a text line longer than 65536 bytes")
        res, _ = self.cli(Op.PROTO2 + Op.glob("os\x1b[2J", "system") + Op.STOP,
                          pattern=r"refusing to load os\\x1b\[2J\.system from the pickle")
        self.assertNotIn("\x1b", res.stderr)
        try:
            self.imp._load_pickle(self.write(Op.PROTO4 + Op.text("m" * 1_000_000) + Op.text("x")
                                             + Op.STACK_GLOBAL + Op.STOP))
        except self.imp.ImportError_ as e:
            self.assertLess(len(str(e)), 500)
            self.assertIn("more characters", str(e))
        else:
            self.fail("not refused")


class FuzzTest(unittest.TestCase):
    """Mutated model pickles through the importer's own loading path, in-process: each case
    converts, or is refused (ImportError_) or fails as main reports it (any Exception: exit 2),
    within CASE_SECONDS, running no code (marker files, audit events); convert itself raises
    nothing but ImportError_. Every CLI_EVERY-th case also goes through the CLI (exit 0 or 2,
    output only on 0, no traceback). Deterministic: case i is fuzz_case(i, seeds) every run. A
    case that crashes the interpreter kills this test; faulthandler prints where, and the case
    is left in the file named on stderr at the start."""
    CASES = 3000
    CLI_EVERY = 100
    CASE_SECONDS = 5.0

    def test_mutated_pickles_convert_or_are_refused(self):
        imp = importer_module()
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        # Markers relative to the working directory (tmp), so the corpus is the same bytes on
        # every run; a pickle that ran would create one there.
        self.addCleanup(os.chdir, os.getcwd())
        os.chdir(tmp.name)
        markers = [f"ran-{k}" for k in range(5)]
        seeds = fuzz_seeds(markers)
        corpus = hashlib.sha256(b"".join(data for _, data in seeds)).hexdigest()[:16]
        case_path = os.path.join(tmp.name, "case.pkl")
        args = imp._parser().parse_args([case_path, "-o", os.path.join(tmp.name, "unused.json")])
        print(f"fuzz: {self.CASES} cases from {len(seeds)} seeds (sha256 {corpus}...), each "
              f"written to {case_path}", file=sys.stderr)
        # Warm up, unaudited: what loading imports on first use (codecs for protocol 0 text,
        # numpy and scikit-learn modules) is imported before the audit hook listens.
        for codec in ("raw_unicode_escape", "unicode_escape"):  # protocol 0 text, messages
            importlib.import_module("encodings." + codec)
        for _, data in seeds:
            with open(case_path, "wb") as f:
                f.write(data)
            with contextlib.suppress(Exception), contextlib.redirect_stderr(io.StringIO()):
                imp.convert(imp._load_pickle(case_path), args, "0" * 64)
        self.assertEqual([m for m in markers if os.path.exists(m)], [])
        install_audit_hook()
        _AUDIT["allowed_opens"] = {case_path}

        def alarm(signum, frame):
            raise CaseTimeout(f"no answer in {self.CASE_SECONDS} s")

        previous = signal.signal(signal.SIGALRM, alarm)
        self.addCleanup(signal.signal, signal.SIGALRM, previous)
        outcomes, results, slowest = {}, {}, (0.0, "")
        start = time.monotonic()
        for i in range(self.CASES):
            data, what = fuzz_case(i, seeds)
            with open(case_path, "wb") as f:
                f.write(data)
            outcome, took = self.run_case(imp, case_path, args, what, data)
            results[i] = outcome
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            slowest = max(slowest, (took, what))
            ran = [m for m in markers if os.path.exists(m)]
            self.assertEqual(ran, [], f"{what}: the pickle ran code")
            self.assertEqual(_AUDIT["events"], [], f"{what}: unexpected audit events")
        in_process = time.monotonic() - start
        self.assertEqual([results[i] for i in range(len(seeds))][:12], ["converted"] * 12)
        self.assertEqual({results[i] for i in range(len(seeds) - 5, len(seeds))}, {"refused"})
        self.assertGreater(outcomes.get("converted", 0), self.CASES // 20)
        self.assertGreater(outcomes.get("refused", 0), self.CASES // 5)

        cli_start = time.monotonic()
        out = os.path.join(tmp.name, "cli.json")
        for i in range(0, self.CASES, self.CLI_EVERY):
            data, what = fuzz_case(i, seeds)
            with open(case_path, "wb") as f:
                f.write(data)
            res = subprocess.run([sys.executable, IMPORTER, case_path, "-o", out],
                                 capture_output=True, text=True, timeout=120, cwd=tmp.name)
            self.assertIn(res.returncode, (0, 2), f"{what}: CLI {res.returncode}: {res.stderr}")
            self.assertNotIn("Traceback", res.stderr, what)
            self.assertEqual(res.returncode == 0, results[i] == "converted",
                             f"{what}: {res.stderr}")
            self.assertEqual(os.path.exists(out), res.returncode == 0, what)
            if os.path.exists(out):
                os.unlink(out)
            self.assertEqual([m for m in markers if os.path.exists(m)], [], what)
        cli = time.monotonic() - cli_start
        summary = ", ".join(f"{n} {k}" for k, n in sorted(outcomes.items(), key=lambda kv: -kv[1]))
        print(f"fuzz: {self.CASES} cases in-process in {in_process:.1f} s ({summary}); slowest "
              f"{slowest[0] * 1000:.0f} ms ({slowest[1][:100]}); {self.CASES // self.CLI_EVERY} "
              f"through the CLI in {cli:.1f} s", file=sys.stderr)

    def run_case(self, imp, path, args, what, data):
        """(outcome, seconds) of one case; fails the test on anything but an allowed outcome."""
        start = time.monotonic()
        signal.setitimer(signal.ITIMER_REAL, self.CASE_SECONDS)
        _AUDIT["on"] = True
        try:
            with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
                warnings.simplefilter("ignore")
                try:
                    estimator = imp._load_pickle(path)
                except imp.ImportError_:
                    return "refused", time.monotonic() - start
                except Exception as e:  # main reports these as "cannot unpickle" (exit 2)
                    return f"load {type(e).__name__}", time.monotonic() - start
                try:
                    imp.convert(estimator, args, "0" * 64)
                except imp.ImportError_:
                    return "refused", time.monotonic() - start
                return "converted", time.monotonic() - start
        except BaseException as e:
            self.keep(data, what)
            raise AssertionError(f"{what}: {type(e).__name__}: {e}") from e
        finally:
            _AUDIT["on"] = False
            signal.setitimer(signal.ITIMER_REAL, 0)

    def keep(self, data, what):
        path = os.path.join(tempfile.gettempdir(), "import_sklearn-fuzz-failure.pkl")
        with open(path, "wb") as f:
            f.write(data)
        print(f"fuzz: {what}: the case is in {path}", file=sys.stderr)


if __name__ == "__main__":
    faulthandler.enable()  # a crash in a fuzz case prints where it happened
    warnings.simplefilter("ignore")  # scikit-learn's convergence warnings on tiny fits
    if "--binary" in sys.argv:
        i = sys.argv.index("--binary")
        BINARY = os.path.abspath(sys.argv[i + 1])
        del sys.argv[i:i + 2]
    if not BINARY or not os.access(BINARY, os.X_OK):
        sys.exit("test_importer.py: pass --binary path/to/hybrid-router")
    unittest.main()

#!/usr/bin/python3
"""Convert a pickled scikit-learn MLPClassifier (or a Pipeline of StandardScaler and
MLPClassifier) into a hybrid-router model file.

Runs on Debian's python3-sklearn. Also reads pickles written under numpy 2.x / scikit-learn 1.6
(as the prototype's deployed model was): numpy 2 renamed numpy.core to numpy._core and pickles its
random state differently, both of which Debian's numpy 1.24 cannot load on its own.

A pickle can run any code it names, so this one is loaded with an allow-list: only the classes a
fitted MLPClassifier, StandardScaler, Pipeline and their numpy arrays need (see _ALLOWED). Anything
else is refused, exit code 2, before it is imported or run; nothing is written.

Usage: tools/import_sklearn.py MODEL.pkl -o MODEL.json [--metadata model_metadata.json]
"""

import argparse
import datetime
import hashlib
import json
import os
import sys
import tempfile

FORMAT = "hybrid-router-model"
FORMAT_VERSION = 1
SCHEMAS = {
    "seed-v1": [
        "workload_type_encoded", "payload_size_kb", "time_window_encoded", "load_pattern_encoded",
        "hour_of_day", "is_weekend", "lambda_memory_limit_mb", "payload_squared", "payload_log",
        "payload_workload_interaction", "payload_hour_interaction",
        "payload_time_window_interaction", "workload_time_window_interaction",
        "payload_load_pattern_interaction", "time_window_load_pattern_interaction",
    ],
}


class ImportError_(Exception):
    """A model we refuse to convert, with the reason for the user."""


class RefusedPickle(ImportError_):
    """The pickle names something outside the allow-list; nothing from it has run."""


class _IgnoredRandomState:
    """Stands in for a pickled numpy RandomState/Generator: inference never uses it, and numpy 2
    pickles it in a form numpy 1.x cannot rebuild."""

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        self.state = state


def _ignored_ctor(*args, **kwargs):
    return _IgnoredRandomState()


def _latin1_bytes(text, encoding):
    # Protocol 2 has no bytes opcode, so Python 3 writes bytes as _codecs.encode(str, 'latin1');
    # joblib pickles object arrays with protocol 2. Any other codec is not ours to run.
    if encoding not in ("latin1", "latin-1") or not isinstance(text, str):
        raise RefusedPickle(f"refusing _codecs.encode with {encoding!r} from the pickle")
    return text.encode("latin-1")


# Every global a pickle may name, as (module, name) after numpy._core -> numpy.core. Found by
# loading MLPClassifier (adam, sgd, lbfgs; int, bool and string labels), StandardScaler and
# Pipeline pickles written with pickle protocols 2, 4 and 5, joblib.dump (plain and compressed)
# and in numpy 2's layout. Anything else is refused before it is imported, so before it runs.
_ALLOWED = {
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),  # arrays, pickle protocols 2-4
    ("numpy.core.multiarray", "scalar"),  # numpy scalars such as best_loss_
    ("numpy.core.numeric", "_frombuffer"),  # arrays, pickle protocol 5
    ("joblib.numpy_pickle", "NumpyArrayWrapper"),  # joblib.dump's array header
    ("sklearn.pipeline", "Pipeline"),
    ("sklearn.preprocessing._data", "StandardScaler"),
    ("sklearn.preprocessing._label", "LabelBinarizer"),  # MLPClassifier._label_binarizer
    ("sklearn.neural_network._multilayer_perceptron", "MLPClassifier"),
    ("sklearn.neural_network._stochastic_optimizers", "AdamOptimizer"),  # MLP._optimizer
    ("sklearn.neural_network._stochastic_optimizers", "SGDOptimizer"),
}
# Allowed names answered with a stand-in instead of the real object.
_SUBSTITUTES = {
    ("numpy.random._pickle", "__randomstate_ctor"): _ignored_ctor,
    ("numpy.random._pickle", "__bit_generator_ctor"): _ignored_ctor,
    ("numpy.random._pickle", "__generator_ctor"): _ignored_ctor,
    # numpy 2 passes the bit generator's class to the constructors above.
    ("numpy.random._mt19937", "MT19937"): _IgnoredRandomState,
    ("_codecs", "encode"): _latin1_bytes,
}


def _restricted_unpickler():
    """Returns an unpickler class for pickle.dump and joblib.dump streams that resolves only
    allow-listed globals.

    It builds on pickle's pure-Python unpickler (as joblib's does) because its opcode table can be
    overridden: BUILD must not set attributes on an allowed class or function itself, and joblib's
    array header must be read here, not by joblib, which unpickles object arrays with a plain
    pickle.load that would bypass this allow-list (and the numpy._core mapping)."""
    import importlib
    import pickle

    import joblib.numpy_pickle as jnp
    import numpy as np

    class Restricted(pickle._Unpickler):
        dispatch = dict(pickle._Unpickler.dispatch)

        def __init__(self, file_handle):
            super().__init__(file_handle)
            self._globals = set()  # ids of what find_class returned

        def find_class(self, module, name):
            key = (module, name)
            if module == "numpy._core" or module.startswith("numpy._core."):
                key = ("numpy.core" + module[len("numpy._core"):], name)
            if key in _SUBSTITUTES:
                obj = _SUBSTITUTES[key]
            elif key in _ALLOWED:
                obj = getattr(importlib.import_module(key[0]), key[1])
            else:
                raise RefusedPickle(
                    f"refusing to load {module}.{name} from the pickle: only scikit-learn "
                    "MLP/scaler/pipeline and numpy classes are allowed")
            self._globals.add(id(obj))
            return obj

        def load_build(self):
            if id(self.stack[-2]) in self._globals:
                raise RefusedPickle(
                    f"refusing the pickle: it sets state on {self.stack[-2]!r} itself")
            pickle._Unpickler.load_build(self)

        dispatch[pickle.BUILD[0]] = load_build

    class RestrictedJoblib(Restricted):
        dispatch = dict(Restricted.dispatch)

        def __init__(self, file_handle):
            super().__init__(file_handle)
            # What NumpyArrayWrapper.read_array expects of its unpickler.
            self.file_handle, self.np, self.mmap_mode = file_handle, np, None

        def load_build(self):
            Restricted.load_build(self)
            wrapper = self.stack[-1]
            if not isinstance(wrapper, jnp.NumpyArrayWrapper):
                return
            if (not isinstance(wrapper.dtype, np.dtype) or wrapper.subclass is not np.ndarray
                    or wrapper.order not in ("C", "F") or not isinstance(wrapper.shape, tuple)
                    or not all(isinstance(n, int) and n >= 0 for n in wrapper.shape)):
                raise ValueError("malformed joblib array header")
            if wrapper.dtype.hasobject:
                # joblib writes the array right here as its own protocol-2 pickle.
                array = Restricted(self.file_handle).load()
                if not isinstance(array, np.ndarray):
                    raise ValueError("joblib object array is not an array")
            else:
                array = wrapper.read_array(self)  # raw bytes of a plain dtype: no code runs
            self.stack[-1] = array

        dispatch[pickle.BUILD[0]] = load_build

    return RestrictedJoblib


def _load_pickle(path):
    """Loads a pickle.dump or joblib.dump (any joblib compression) file through the allow-list."""
    import joblib.numpy_pickle as jnp

    unpickler = _restricted_unpickler()
    with open(path, "rb") as f:
        with jnp._read_fileobject(f, path, None) as fobj:
            if isinstance(fobj, str):  # joblib < 0.10 kept arrays in side files
                raise ValueError("joblib pickles older than 0.10 are not supported")
            return unpickler(fobj).load()


def _floats(values, where):
    out = [float(v) for v in values]
    for v in out:
        if v != v or v in (float("inf"), float("-inf")):
            raise ImportError_(f"{where} holds a non-finite number")
    return out


def _split(estimator):
    """Returns (scaler or None, mlp), refusing anything else."""
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    if isinstance(estimator, MLPClassifier):
        return None, estimator
    if isinstance(estimator, Pipeline):
        steps = [s for _, s in estimator.steps if s not in (None, "passthrough")]
        kinds = [type(s).__name__ for s in steps]
        if len(steps) == 1 and isinstance(steps[0], MLPClassifier):
            return None, steps[0]
        if (len(steps) == 2 and isinstance(steps[0], StandardScaler)
                and isinstance(steps[1], MLPClassifier)):
            return steps[0], steps[1]
        raise ImportError_(
            f"unsupported Pipeline steps {kinds}; expected [StandardScaler, MLPClassifier] "
            "or [MLPClassifier]")
    raise ImportError_(
        f"unsupported estimator {type(estimator).__module__}.{type(estimator).__name__}; "
        "expected MLPClassifier or Pipeline(StandardScaler, MLPClassifier)")


def _classes(mlp):
    classes = list(mlp.classes_)
    if len(classes) != 2:
        raise ImportError_(f"the classifier has {len(classes)} classes; a routing model has 2")
    as_text = [str(c).strip().lower() for c in classes]
    if as_text in (["0", "1"], ["false", "true"], ["ecs", "lambda"]):
        return ["ecs", "lambda"]  # class 1 = Lambda, as in the prototype
    raise ImportError_(f"classes {classes} are not [0, 1] or ['ecs', 'lambda']")


def _metadata(mlp, args, pickle_sha256, extra):
    md = {
        "model_type": args.model_type or "MLPClassifier",
        "training_date": None,
        "data_fingerprint": None,
        "source": {
            "importer": "tools/import_sklearn.py",
            "pickle_sha256": pickle_sha256,
            "sklearn_version": getattr(mlp, "_sklearn_version", None),
            "hidden_layer_sizes": list(getattr(mlp, "hidden_layer_sizes", []) or []),
        },
        "metrics": {},
    }
    if extra:
        md["model_type"] = args.model_type or extra.get("model_type") or md["model_type"]
        md["training_date"] = extra.get("training_date")
        perf = extra.get("performance", {})
        rename = {"train_accuracy": ("train", "accuracy"), "val_accuracy": ("validation", "accuracy"),
                  "test_accuracy": ("test", "accuracy"), "precision": ("test", "precision"),
                  "recall": ("test", "recall"), "f1_score": ("test", "f1"),
                  "roc_auc": ("test", "roc_auc")}
        for key, (split, name) in rename.items():
            if isinstance(perf.get(key), (int, float)):
                md["metrics"].setdefault(split, {})[name] = float(perf[key])
        md["imported_metadata"] = extra
    return md


def convert(estimator, args, pickle_sha256, extra=None):
    scaler, mlp = _split(estimator)
    if not hasattr(mlp, "coefs_"):
        raise ImportError_("the MLPClassifier is not fitted (no coefs_)")
    if mlp.out_activation_ != "logistic" or mlp.n_outputs_ != 1:
        raise ImportError_(
            f"output activation {mlp.out_activation_!r} with {mlp.n_outputs_} outputs; "
            "expected a binary classifier (logistic, 1 output)")
    if mlp.activation not in ("identity", "logistic", "tanh", "relu"):
        raise ImportError_(f"hidden activation {mlp.activation!r} is not supported")
    names = SCHEMAS[args.schema]
    n_in = mlp.coefs_[0].shape[0]
    if n_in != len(names):
        raise ImportError_(f"the model takes {n_in} features; schema {args.schema} has {len(names)}")
    pickled_names = getattr(estimator, "feature_names_in_", None)
    if pickled_names is None:
        pickled_names = getattr(mlp, "feature_names_in_", None)
    if pickled_names is not None:
        pickled_names = [str(n) for n in pickled_names]
        if pickled_names != names:
            raise ImportError_(
                f"the model was fitted on features {pickled_names}, not schema {args.schema}")
    else:
        print(f"import_sklearn: no feature names in the pickle; assuming {args.schema} order",
              file=sys.stderr)

    scaler_out = None
    if scaler is not None:
        mean = scaler.mean_ if scaler.with_mean else [0.0] * n_in
        scale = scaler.scale_ if scaler.with_std else [1.0] * n_in
        scaler_out = {"mean": _floats(mean, "scaler.mean"), "scale": _floats(scale, "scaler.scale")}

    layers = []
    for k, (w, b) in enumerate(zip(mlp.coefs_, mlp.intercepts_)):
        layers.append({
            "inputs": int(w.shape[0]),
            "outputs": int(w.shape[1]),
            "weights": _floats(w.reshape(-1), f"layers[{k}].weights"),
            "bias": _floats(b, f"layers[{k}].bias"),
        })
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "feature_schema": args.schema,
        "feature_names": names,
        "scaler": scaler_out,
        "hidden_activation": mlp.activation,
        "output_activation": "logistic",
        "layers": layers,
        "classes": _classes(mlp),
        "decision_threshold": args.threshold,
        "metadata": _metadata(mlp, args, pickle_sha256, extra),
    }


def write_atomic(doc, path):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".import-", dir=directory)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(doc, f, allow_nan=False, indent=1)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("pickle", help="pickled (or joblib-dumped) estimator")
    p.add_argument("-o", "--out", required=True, help="model file to write (JSON)")
    p.add_argument("--schema", default="seed-v1", choices=sorted(SCHEMAS),
                   help="feature schema the model was trained on (default: seed-v1)")
    p.add_argument("--metadata", help="the prototype's model_metadata.json, for model_info")
    p.add_argument("--model-type", help="model_type to report (default: from --metadata, "
                   "else MLPClassifier)")
    p.add_argument("--threshold", type=float, default=0.5,
                   help="decision threshold on P(lambda) (default: 0.5)")
    args = p.parse_args(argv)
    if not 0.0 <= args.threshold <= 1.0:
        p.error("--threshold must be within [0, 1]")
    try:
        with open(args.pickle, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        extra = None
        if args.metadata:
            with open(args.metadata) as f:
                extra = json.load(f)
        try:
            estimator = _load_pickle(args.pickle)
        except ImportError_:
            raise
        except Exception as e:  # a truncated or malformed pickle: report, do not crash
            raise ImportError_(f"cannot unpickle {args.pickle}: {type(e).__name__}: {e}")
        doc = convert(estimator, args, digest, extra)
        write_atomic(doc, args.out)
    except ImportError_ as e:
        print(f"import_sklearn: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"import_sklearn: {e}", file=sys.stderr)
        return 4
    print(f"import_sklearn: wrote {args.out} ({len(doc['layers'])} layers, "
          f"scaler {'yes' if doc['scaler'] else 'no'})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

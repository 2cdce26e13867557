#!/usr/bin/python3
"""Convert a pickled scikit-learn MLPClassifier (or a Pipeline of StandardScaler and
MLPClassifier) into a hybrid-router model file.

Runs on Debian's python3-sklearn. Also reads pickles written under numpy 2.x / scikit-learn 1.6
(as the prototype's deployed model was): numpy 2 renamed numpy.core to numpy._core and pickles its
random state differently, both of which Debian's numpy 1.24 cannot load on its own.

A pickle can run any code it names, so this one is loaded with an allow-list: only the classes a
fitted MLPClassifier, StandardScaler, Pipeline and their numpy arrays need (see _ALLOWED). Anything
else is refused, exit code 2, before it is imported or run; nothing is written. The allowed names
are used only as a model pickle uses them, with their arguments and states checked (numpy trusts
its own pickles and crashes on hostile ones), and the load is bounded: a file, or the pickle
decompressed from a joblib file, over --max-mb MiB (default 256) is refused before it is read, as
is a length claimed past it; opcodes, open MARKs and object arrays are capped (_Limits). Whatever
else goes wrong is reported, exit code 2, never a traceback.

Usage: tools/import_sklearn.py MODEL.pkl -o MODEL.json [--metadata model_metadata.json]
       [--max-mb 256]
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


MAX_MB_DEFAULT = 256  # --max-mb: the file, and the pickle stream decompressed from it
_MAX_OPCODES = 4_000_000  # a fitted MLP's pickle runs a few thousand; each can make an object
_MAX_MARK_DEPTH = 1000  # MARKs open at once (a model pickle nests a handful)
_MAX_LINE = 64 * 1024  # a text argument (GLOBAL's module and name) of the pickle
# numpy frees an object array's items by plain C recursion (no trashcan, no depth check): ~3,500
# object arrays nested in each other overflow the C stack when freed. A model has a few.
_MAX_OBJECT_ARRAYS = 256
_DTYPE_KINDS = "biufcOSU"  # bool, integers, floats, complex, object, bytes, str: nothing else

# Every global a pickle may name, as (module, name) after numpy._core -> numpy.core, and how it
# may use it. Found by loading MLPClassifier (adam, sgd, lbfgs; int, bool and string labels),
# StandardScaler and Pipeline pickles written with pickle protocols 2, 4 and 5, joblib.dump (plain
# and compressed) and in numpy 2's layout. Anything else is refused before it is imported, so
# before it runs.
# Classes made as pickle.dump makes them (NEWOBJ: cls.__new__(cls), never __init__) and then
# given a dict of attributes (BUILD).
_CLASSES = {
    ("joblib.numpy_pickle", "NumpyArrayWrapper"),  # joblib.dump's array header
    ("sklearn.pipeline", "Pipeline"),
    ("sklearn.preprocessing._data", "StandardScaler"),
    ("sklearn.preprocessing._label", "LabelBinarizer"),  # MLPClassifier._label_binarizer
    ("sklearn.neural_network._multilayer_perceptron", "MLPClassifier"),
    ("sklearn.neural_network._stochastic_optimizers", "AdamOptimizer"),  # MLP._optimizer
    ("sklearn.neural_network._stochastic_optimizers", "SGDOptimizer"),
}
# numpy's pickle constructors (REDUCE), each called through a method of the unpickler that checks
# its arguments first: numpy trusts its own pickles (a dtype's state sets its flags, an object
# array's state may be shorter than its shape), and a hostile one crashes it or worse.
_NUMPY_CALLS = {
    ("numpy", "dtype"): "_call_dtype",
    ("numpy.core.multiarray", "_reconstruct"): "_call_reconstruct",  # arrays, protocols 2-4
    ("numpy.core.multiarray", "scalar"): "_call_scalar",  # numpy scalars such as best_loss_
    ("numpy.core.numeric", "_frombuffer"): "_call_frombuffer",  # arrays, protocol 5
}
_ARGUMENTS = {("numpy", "ndarray")}  # only ever an argument (of _reconstruct), never called
_ALLOWED = _CLASSES | set(_NUMPY_CALLS) | _ARGUMENTS
# Allowed names answered with a stand-in instead of the real object (called with REDUCE).
_SUBSTITUTES = {
    ("numpy.random._pickle", "__randomstate_ctor"): _ignored_ctor,
    ("numpy.random._pickle", "__bit_generator_ctor"): _ignored_ctor,
    ("numpy.random._pickle", "__generator_ctor"): _ignored_ctor,
    # numpy 2 passes the bit generator's class to the constructors above.
    ("numpy.random._mt19937", "MT19937"): _IgnoredRandomState,
    ("_codecs", "encode"): _latin1_bytes,
}


def _printable(value, limit=200):
    """Text from a pickle, fit for an error message: control characters escaped, cut at limit."""
    text = value if isinstance(value, str) else f"<{type(value).__name__}>"
    cut = len(text) > limit
    text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text[:limit])
    return text + (f"...({len(value) - limit} more characters)" if cut else "")


def _mib(n):
    return f"{n} bytes ({n / 2**20:.1f} MiB)" if n >= 2**20 else f"{n} bytes"


class _Limits:
    """What one load may still read and build; shared by the unpicklers of one joblib file."""

    def __init__(self, max_bytes, stream_size=None):
        self.max_bytes = max_bytes
        self.stream_size = stream_size  # known for an uncompressed file, else None
        self.read = 0  # bytes of the pickle stream read so far
        self.ops = 0
        self.object_arrays = 0
        self.fresh_arrays = {}  # id -> array from _reconstruct still waiting for its state

    def left(self):
        cap = self.max_bytes if self.stream_size is None else min(self.max_bytes, self.stream_size)
        return max(cap - self.read, 0)

    def claim(self, n, what, also=0):
        """Refuses `what` of n bytes unless that many are left (`also`: in the current frame)."""
        if n <= self.left() + also:
            return
        if self.stream_size is not None and n <= self.max_bytes - self.read + also:
            raise EOFError(f"the pickle is truncated: {what} of {_mib(n)} at byte {self.read}, "
                           f"{_mib(self.left() + also)} left in the file")
        raise ImportError_(
            f"refusing the pickle: {what} of {_mib(n)} at byte {self.read} of its stream is "
            f"more than the {_mib(self.left() + also)} left of it (--max-mb "
            f"{self.max_bytes >> 20})")


class _BoundedStream:
    """The pickle stream, read only as far as its _Limits allow: no read (so no allocation) for
    a length the pickle claims beyond the bytes left, no text line over _MAX_LINE."""

    def __init__(self, fobj, limits):
        self._f, self._limits = fobj, limits

    def read(self, n=-1):
        lim = self._limits
        if n is None or n < 0:
            data = self._f.read(lim.left() + 1)
            lim.claim(len(data), "the rest of the pickle")
        else:
            lim.claim(n, "an item")
            data = self._f.read(n)
        lim.read += len(data)
        return data

    def readline(self, size=-1):
        lim = self._limits
        left = lim.left()
        line = self._f.readline(min(_MAX_LINE, left) + 1)
        lim.claim(len(line), "a text line")
        lim.read += len(line)
        if len(line) > _MAX_LINE:
            raise RefusedPickle(f"refusing the pickle: a text line longer than {_MAX_LINE} bytes")
        return line


def _restricted_unpickler():
    """Returns an unpickler class, called as cls(stream, limits), for pickle.dump and
    joblib.dump streams that resolves only allow-listed globals and uses them only as a model
    pickle does.

    It builds on pickle's pure-Python unpickler (as joblib's does) because its opcode table can be
    overridden: BUILD must not set attributes on an allowed class or function itself, and joblib's
    array header must be read here, not by joblib, which unpickles object arrays with a plain
    pickle.load that would bypass this allow-list (and the numpy._core mapping).

    Besides the allow-list: only the allowed numpy functions and random-state stand-ins are
    called (REDUCE), only the allowed classes made (NEWOBJ, without arguments); dict keys and set
    items are strings (no hash work chosen by the pickle: a tuple sharing its parts 60 levels deep
    takes 2**60 steps to hash); items are added only to lists, dicts and sets; an array gets its
    state once, straight after _reconstruct made it empty (a second state would free memory a view
    still uses); and the stream, opcodes, open MARKs and object arrays are bounded (_Limits)."""
    import importlib
    import pickle
    import struct

    import joblib.numpy_pickle as jnp
    import numpy as np
    import numpy.core.multiarray as multiarray
    import numpy.core.numeric as numeric

    def refuse(why):
        raise RefusedPickle(f"refusing the pickle: {why}")

    def describe(obj):
        if isinstance(obj, type) or callable(obj) and hasattr(obj, "__qualname__"):
            return f"{getattr(obj, '__module__', '?')}.{obj.__qualname__}"
        return f"a {type(obj).__module__}.{type(obj).__qualname__} object"

    def shape_of(shape, where):
        if (type(shape) is not tuple or len(shape) > 32
                or not all(type(n) is int and n >= 0 for n in shape)):
            refuse(f"{where} has a shape that is not a tuple of at most 32 sizes")
        count = 1
        for n in shape:
            count *= n
        return count

    def check_dtype(dt, where):
        """A plain dtype numpy itself would make: no fields, subarrays or metadata, and flags,
        size, alignment and byte order as its type string gives them."""
        if not isinstance(dt, np.dtype):
            refuse(f"{where} is {describe(dt)}, not a numpy dtype")
        if (dt.names is not None or dt.subdtype is not None or dt.metadata is not None
                or dt.kind not in _DTYPE_KINDS):
            refuse(f"{where} is the dtype {_printable(str(dt))}; only plain numbers, strings "
                   "and objects are allowed")
        ref = np.dtype(dt.str)
        if ((ref.flags, ref.itemsize, ref.alignment, ref.byteorder, ref.kind)
                != (dt.flags, dt.itemsize, dt.alignment, dt.byteorder, dt.kind)):
            refuse(f"{where}: a dtype whose flags, size or byte order are not its type's")
        return dt

    class Restricted(pickle._Unpickler):
        dispatch = dict(pickle._Unpickler.dispatch)

        def __init__(self, stream, limits):
            super().__init__(stream)
            self._limits = limits
            self._globals = set()  # ids of what find_class returned
            self._classes = set()  # ids of the _CLASSES find_class returned: NEWOBJ may make them
            self._numpy = {key: getattr(self, attr) for key, attr in _NUMPY_CALLS.items()}
            self._callables = ({id(f) for f in self._numpy.values()}
                               | {id(f) for f in _SUBSTITUTES.values()})

        def find_class(self, module, name):
            key = (module, name)
            if module == "numpy._core" or module.startswith("numpy._core."):
                key = ("numpy.core" + module[len("numpy._core"):], name)
            if key in _SUBSTITUTES:
                obj = _SUBSTITUTES[key]
            elif key in self._numpy:
                obj = self._numpy[key]
            elif key in _ALLOWED:
                obj = getattr(importlib.import_module(key[0]), key[1])
                if key in _CLASSES:
                    self._classes.add(id(obj))
            else:
                raise RefusedPickle(
                    f"refusing to load {_printable(module)}.{_printable(name)} from the pickle: "
                    "only scikit-learn MLP/scaler/pipeline and numpy classes are allowed")
            self._globals.add(id(obj))
            return obj

        def load(self):
            """pickle._Unpickler.load, counting opcodes and open MARKs."""
            self._unframer = pickle._Unframer(self._file_read, self._file_readline)
            self.read = self._unframer.read
            self.readinto = self._unframer.readinto
            self.readline = self._unframer.readline
            self.metastack = []
            self.stack = []
            self.append = self.stack.append
            self.proto = 0
            read, dispatch, limits = self.read, self.dispatch, self._limits
            try:
                while True:
                    key = read(1)
                    if not key:
                        raise EOFError
                    limits.ops += 1
                    if limits.ops > _MAX_OPCODES:
                        refuse(f"it runs more than {_MAX_OPCODES} opcodes")
                    if len(self.metastack) > _MAX_MARK_DEPTH:
                        refuse(f"it nests MARKs more than {_MAX_MARK_DEPTH} deep")
                    dispatch[key[0]](self)
            except pickle._Stop as stopinst:
                return stopinst.value

        # numpy's constructors, with their arguments checked.
        def _call_dtype(self, spec, align=False, copy=False):
            if type(spec) is not str or len(spec) > 32 or type(align) not in (bool, int):
                refuse("numpy.dtype called with other than a short type string")
            # Always a fresh copy, so a BUILD can never reach numpy's shared dtypes.
            return check_dtype(np.dtype(spec, bool(align), True), "a dtype")

        def _call_reconstruct(self, subtype, shape, dtype):
            if subtype is not np.ndarray or shape_of(shape, "an array") != 0:
                refuse("_reconstruct called with other than (ndarray, an empty shape, dtype)")
            if type(dtype) in (bytes, str) and len(dtype) <= 32:
                dtype = np.dtype(dtype)
            array = multiarray._reconstruct(np.ndarray, shape, check_dtype(dtype, "an array"))
            self._limits.fresh_arrays[id(array)] = array
            return array

        def _call_scalar(self, dtype, obj=None):
            check_dtype(dtype, "a scalar")
            if not dtype.hasobject and (type(obj) is not bytes or len(obj) != dtype.itemsize):
                refuse(f"a numpy scalar of {_printable(str(dtype))} that is not "
                       f"{dtype.itemsize} bytes")
            return multiarray.scalar(dtype, obj)

        def _call_frombuffer(self, buf, dtype, shape, order):
            check_dtype(dtype, "an array")
            if (type(buf) not in (bytes, bytearray) or dtype.hasobject
                    or shape_of(shape, "an array") * dtype.itemsize != len(buf)
                    or order not in ("C", "F")):
                refuse("_frombuffer called with other than the bytes of a plain array")
            return numeric._frombuffer(buf, dtype, shape, order)

        # Opcodes that call: only the allowed functions and classes, as a model pickle does.
        def load_reduce(self):
            func, args = self.stack[-2], self.stack[-1]
            if id(func) not in self._callables:
                refuse(f"it calls {describe(func)}")
            if type(args) is not tuple:
                refuse("REDUCE with arguments that are not a tuple")
            pickle._Unpickler.load_reduce(self)

        dispatch[pickle.REDUCE[0]] = load_reduce

        def load_newobj(self):
            cls, args = self.stack[-2], self.stack[-1]
            if id(cls) not in self._classes or type(args) is not tuple or args:
                refuse(f"it makes {describe(cls)} with NEWOBJ")
            pickle._Unpickler.load_newobj(self)

        dispatch[pickle.NEWOBJ[0]] = load_newobj

        def refuse_opcode(self, name):
            refuse(f"it uses the {name} opcode, which no model pickle does")

        for _name in ("NEWOBJ_EX", "OBJ", "INST", "NEXT_BUFFER", "READONLY_BUFFER"):
            dispatch[getattr(pickle, _name)[0]] = (lambda name: lambda self: self.refuse_opcode(
                name))(_name)
        del _name

        # Opcodes that add items: to lists, dicts and sets only, keyed by strings.
        def load_append(self):
            if type(self.stack[-2]) is not list:
                refuse(f"APPEND to {describe(self.stack[-2])}")
            pickle._Unpickler.load_append(self)

        dispatch[pickle.APPEND[0]] = load_append

        def load_appends(self):
            if type(self.metastack[-1][-1]) is not list:
                refuse(f"APPENDS to {describe(self.metastack[-1][-1])}")
            pickle._Unpickler.load_appends(self)

        dispatch[pickle.APPENDS[0]] = load_appends

        @staticmethod
        def check_keys(keys, what):
            for k in keys:
                if type(k) is not str:
                    refuse(f"{what} that is {describe(k)}, not a string")

        def load_setitem(self):
            if type(self.stack[-3]) is not dict:
                refuse(f"SETITEM on {describe(self.stack[-3])}")
            self.check_keys(self.stack[-2:-1], "a dict key")
            pickle._Unpickler.load_setitem(self)

        dispatch[pickle.SETITEM[0]] = load_setitem

        def load_setitems(self):
            if type(self.metastack[-1][-1]) is not dict:
                refuse(f"SETITEMS on {describe(self.metastack[-1][-1])}")
            self.check_keys(self.stack[0::2], "a dict key")
            pickle._Unpickler.load_setitems(self)

        dispatch[pickle.SETITEMS[0]] = load_setitems

        def load_dict(self):
            self.check_keys(self.stack[0::2], "a dict key")
            pickle._Unpickler.load_dict(self)

        dispatch[pickle.DICT[0]] = load_dict

        def load_additems(self):
            if type(self.metastack[-1][-1]) is not set:
                refuse(f"ADDITEMS on {describe(self.metastack[-1][-1])}")
            self.check_keys(self.stack, "a set item")
            pickle._Unpickler.load_additems(self)

        dispatch[pickle.ADDITEMS[0]] = load_additems

        def load_frozenset(self):
            self.check_keys(self.stack, "a set item")
            pickle._Unpickler.load_frozenset(self)

        dispatch[pickle.FROZENSET[0]] = load_frozenset

        def load_bytearray8(self):
            # pickle allocates (and zeroes) the claimed length before reading a byte of it.
            n, = struct.unpack("<Q", self.read(8))
            frame = self._unframer.current_frame
            in_frame = 0
            if frame is not None:
                with frame.getbuffer() as view:
                    in_frame = view.nbytes - frame.tell()
            self._limits.claim(n, "a BYTEARRAY8", also=in_frame)
            b = bytearray(n)
            self.readinto(b)
            self.append(b)

        dispatch[pickle.BYTEARRAY8[0]] = load_bytearray8

        # BUILD: state for the objects a model pickle gives state to, checked first, and set
        # through their class: pickle's own BUILD calls inst.__setstate__, which an earlier
        # BUILD may have made an instance attribute naming any allowed callable.
        def load_build(self):
            inst, state = self.stack[-2], self.stack[-1]
            if id(inst) in self._globals:
                raise RefusedPickle(
                    f"refusing the pickle: it sets state on {describe(inst)} itself")
            if isinstance(inst, np.ndarray):
                self.check_array_state(inst, state)
                np.ndarray.__setstate__(inst, state)
            elif isinstance(inst, np.dtype):
                self.check_dtype_state(inst, state)
                np.dtype.__setstate__(inst, state)
                check_dtype(inst, "a dtype")
            elif id(type(inst)) in self._classes:
                if type(state) is not dict:
                    refuse(f"the state of {describe(inst)} is not a dict")
                for key in state:  # no dunders, no attribute hiding a method of the class
                    if type(key) is not str:
                        refuse(f"a key of the state of {describe(inst)} is not a string")
                    if key.startswith("__") and key.endswith("__") or callable(
                            getattr(type(inst), key, None)):
                        refuse(f"it sets {_printable(key)} on {describe(inst)}")
                if not isinstance(state.get("_sklearn_version", ""), str):
                    refuse("an estimator's _sklearn_version is not a string")
                setstate = getattr(type(inst), "__setstate__", None)  # BaseEstimator's
                if setstate is not None:
                    setstate(inst, state)
                else:
                    inst.__dict__.update(state)
            elif isinstance(inst, _IgnoredRandomState):
                _IgnoredRandomState.__setstate__(inst, state)
            else:
                refuse(f"it sets state on {describe(inst)}")
            self.stack.pop()

        dispatch[pickle.BUILD[0]] = load_build

        def check_array_state(self, array, state):
            limits = self._limits
            if limits.fresh_arrays.pop(id(array), None) is not array:
                refuse("it sets the state of an array twice, or of one _reconstruct did not make")
            if type(state) is not tuple or len(state) != 5 or type(state[0]) is not int:
                refuse("an array state that is not numpy's (version, shape, dtype, order, data)")
            version, shape, dtype, fortran, data = state
            count = shape_of(shape, "an array")
            check_dtype(dtype, "an array")
            if version != 1 or type(fortran) not in (bool, int):
                refuse("an array state that is not numpy's (version, shape, dtype, order, data)")
            if dtype.hasobject:
                if type(data) is not list or len(data) != count:
                    refuse(f"an object array of {count} items whose state is not a list of "
                           f"{count} items")  # numpy reads past a short one
                limits.object_arrays += 1
                if limits.object_arrays > _MAX_OBJECT_ARRAYS:
                    refuse(f"it holds more than {_MAX_OBJECT_ARRAYS} object arrays")
            elif type(data) is not bytes or len(data) != count * dtype.itemsize:
                refuse(f"an array of {count} x {dtype.itemsize} bytes whose data is not as long")

        def check_dtype_state(self, dt, state):
            if type(state) is not tuple or len(state) != 8:
                refuse("a dtype state that is not numpy's 8-tuple")
            version, endian, subdescr, names, fields, elsize, alignment, flags = state
            if (type(version) is not int or version != 3 or type(endian) is not str
                    or endian not in ("<", ">", "=", "|")
                    or (endian == "|") != (dt.byteorder == "|")
                    or subdescr is not None or names is not None or fields is not None
                    or not all(type(v) is int for v in (elsize, alignment, flags))
                    or elsize not in (-1, dt.itemsize) or alignment not in (-1, dt.alignment)
                    or flags != dt.flags):
                refuse(f"a state for the dtype {_printable(str(dt))} that is not its own")

    class RestrictedJoblib(Restricted):
        dispatch = dict(Restricted.dispatch)

        def __init__(self, stream, limits):
            super().__init__(stream, limits)
            # What NumpyArrayWrapper.read_array expects of its unpickler.
            self.file_handle, self.np, self.mmap_mode = stream, np, None

        def load_build(self):
            Restricted.load_build(self)
            wrapper = self.stack[-1]
            if not isinstance(wrapper, jnp.NumpyArrayWrapper):
                return
            dtype, shape = getattr(wrapper, "dtype", None), getattr(wrapper, "shape", None)
            order = getattr(wrapper, "order", None)
            if (getattr(wrapper, "subclass", None) is not np.ndarray or type(order) is not str
                    or order not in ("C", "F") or not isinstance(dtype, np.dtype)):
                raise ValueError("malformed joblib array header")
            count = shape_of(shape, "a joblib array")
            check_dtype(dtype, "a joblib array")
            if dtype.hasobject:
                # joblib writes the array right here as its own protocol-2 pickle.
                array = Restricted(self.file_handle, self._limits).load()
                if not isinstance(array, np.ndarray):
                    raise ValueError("joblib object array is not an array")
            else:
                # read_array allocates the array, then reads its raw bytes: no code runs.
                self._limits.claim(count * dtype.itemsize, "a joblib array")
                array = jnp.NumpyArrayWrapper.read_array(wrapper, self)
            self.stack[-1] = array

        dispatch[pickle.BUILD[0]] = load_build

    return RestrictedJoblib


def _too_big(path, size, max_bytes):
    return (f"{_printable(path)} is {_mib(size)}, more than the --max-mb limit of "
            f"{max_bytes >> 20} MiB; not reading it")


def _open_checked(path, max_bytes):
    """Opens a regular file of at most max_bytes; returns (file, size)."""
    import stat

    if not stat.S_ISREG(os.stat(path).st_mode):  # before open, which waits on a FIFO
        raise ImportError_(f"{_printable(path)} is not a regular file")
    f = open(path, "rb")
    try:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise ImportError_(f"{_printable(path)} is not a regular file")
        if st.st_size > max_bytes:
            raise ImportError_(_too_big(path, st.st_size, max_bytes))
        return f, st.st_size
    except BaseException:
        f.close()
        raise


def _sha256(path, max_bytes):
    """The file's sha256, refusing (before reading a byte) a file over max_bytes."""
    f, _ = _open_checked(path, max_bytes)
    with f:
        digest, n = hashlib.sha256(), 0
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                return digest.hexdigest()
            n += len(chunk)
            if n > max_bytes:  # it grew
                raise ImportError_(_too_big(path, n, max_bytes))
            digest.update(chunk)


def _load_pickle(path, max_bytes=MAX_MB_DEFAULT << 20):
    """Loads a pickle.dump or joblib.dump (any joblib compression) file through the allow-list,
    refusing a file, or a pickle stream decompressed from it, over max_bytes."""
    import joblib.numpy_pickle as jnp

    unpickler = _restricted_unpickler()
    f, size = _open_checked(path, max_bytes)
    with f:
        with jnp._read_fileobject(f, path, None) as fobj:
            if isinstance(fobj, str):  # joblib < 0.10 kept arrays in side files
                raise ValueError("joblib pickles older than 0.10 are not supported")
            limits = _Limits(max_bytes, size if fobj is f else None)
            return unpickler(_BoundedStream(fobj, limits), limits).load()


def _floats(values, where):
    out = [float(v) for v in values]
    for v in out:
        if v != v or v in (float("inf"), float("-inf")):
            raise ImportError_(f"{where} holds a non-finite number")
    return out


# The model's parts are checked for type and shape before use: the pickle may hold anything an
# allowed class can be given as an attribute.
def _kind(value):
    import numpy as np

    if isinstance(value, np.ndarray):
        return f"a {value.ndim}-D {_printable(str(value.dtype))} array"
    return f"a {type(value).__module__}.{type(value).__qualname__}"


def _array(value, ndim, where, kinds="f"):
    import numpy as np

    if type(value) is not np.ndarray or value.ndim != ndim or value.dtype.kind not in kinds:
        raise ImportError_(f"{where} is {_kind(value)}, not a {ndim}-D array of "
                           f"{'floats' if kinds == 'f' else 'labels'}")
    return value


def _is_flag(value):
    import numpy as np

    return type(value) in (bool, int, np.bool_)


def _scalars(values, where):
    """The labels or names of a 1-D array, each a string, number or bool."""
    import numpy as np

    values = _array(values, 1, where, kinds="biufUSO")
    out = list(values)
    for v in out:
        if not isinstance(v, (str, bytes, int, float, np.generic)) or isinstance(v, np.void):
            raise ImportError_(f"{where} holds {_kind(v)}")
    return out


def _split(estimator):
    """Returns (scaler or None, mlp), refusing anything else."""
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    if isinstance(estimator, MLPClassifier):
        return None, estimator
    if isinstance(estimator, Pipeline):
        steps = getattr(estimator, "steps", None)
        if (type(steps) not in (list, tuple)
                or not all(type(s) in (list, tuple) and len(s) == 2 and type(s[0]) is str
                           for s in steps)):
            raise ImportError_("the Pipeline's steps are not a list of (name, estimator) pairs")
        steps = [s for _, s in steps
                 if s is not None and not (type(s) is str and s == "passthrough")]
        kinds = [type(s).__name__ for s in steps]
        if len(steps) == 1 and isinstance(steps[0], MLPClassifier):
            return None, steps[0]
        if (len(steps) == 2 and isinstance(steps[0], StandardScaler)
                and isinstance(steps[1], MLPClassifier)):
            return steps[0], steps[1]
        raise ImportError_(
            f"unsupported Pipeline steps {_printable(str(kinds))}; expected [StandardScaler, "
            "MLPClassifier] or [MLPClassifier]")
    raise ImportError_(
        f"unsupported estimator {type(estimator).__module__}.{type(estimator).__name__}; "
        "expected MLPClassifier or Pipeline(StandardScaler, MLPClassifier)")


def _layers(mlp):
    """The fitted weights as [(W, b)], checked: 2-D and 1-D float arrays whose sizes chain."""
    coefs, intercepts = mlp.coefs_, getattr(mlp, "intercepts_", None)
    if (type(coefs) not in (list, tuple) or type(intercepts) not in (list, tuple) or not coefs
            or len(coefs) != len(intercepts)):
        raise ImportError_("the MLPClassifier's coefs_ and intercepts_ are not two lists of "
                           "the same length")
    layers = []
    for k, (w, b) in enumerate(zip(coefs, intercepts)):
        _array(w, 2, f"coefs_[{k}]")
        _array(b, 1, f"intercepts_[{k}]")
        if b.shape[0] != w.shape[1] or (k and w.shape[0] != layers[-1][0].shape[1]):
            raise ImportError_(f"layer {k}'s weights {w.shape} and bias {b.shape} do not fit "
                               "the layer before")
        layers.append((w, b))
    return layers


def _classes(mlp):
    classes = _scalars(getattr(mlp, "classes_", None), "classes_")
    if len(classes) != 2:
        raise ImportError_(f"the classifier has {len(classes)} classes; a routing model has 2")
    as_text = [str(c).strip().lower() for c in classes]
    if as_text in (["0", "1"], ["false", "true"], ["ecs", "lambda"]):
        return ["ecs", "lambda"]  # class 1 = Lambda, as in the prototype
    raise ImportError_(f"classes {_printable(str(classes))} are not [0, 1] or ['ecs', 'lambda']")


def _metadata(mlp, layers, args, pickle_sha256, extra):
    version = getattr(mlp, "_sklearn_version", None)
    md = {
        "model_type": args.model_type or "MLPClassifier",
        "training_date": None,
        "data_fingerprint": None,
        "source": {
            "importer": "tools/import_sklearn.py",
            "pickle_sha256": pickle_sha256,
            "sklearn_version": version if isinstance(version, str) and len(version) < 64 else None,
            "hidden_layer_sizes": [int(w.shape[1]) for w, _ in layers[:-1]],
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
    """The model file for `estimator` (as _load_pickle returned it); raises ImportError_ for
    anything it cannot convert."""
    import numpy as np

    scaler, mlp = _split(estimator)
    if not hasattr(mlp, "coefs_"):
        raise ImportError_("the MLPClassifier is not fitted (no coefs_)")
    layers = _layers(mlp)
    out_activation = getattr(mlp, "out_activation_", None)
    n_outputs = getattr(mlp, "n_outputs_", None)
    if type(out_activation) is not str or type(n_outputs) not in (int, np.int64):
        raise ImportError_("the MLPClassifier's out_activation_ or n_outputs_ is missing or "
                           "not a name and a number")
    if out_activation != "logistic" or n_outputs != 1 or layers[-1][0].shape[1] != 1:
        raise ImportError_(
            f"output activation {_printable(repr(out_activation))} with {n_outputs} outputs; "
            "expected a binary classifier (logistic, 1 output)")
    activation = getattr(mlp, "activation", None)
    if type(activation) is not str or activation not in ("identity", "logistic", "tanh", "relu"):
        shown = _printable(repr(activation)) if type(activation) is str else _kind(activation)
        raise ImportError_(f"hidden activation {shown} is not supported")
    names = SCHEMAS[args.schema]
    n_in = layers[0][0].shape[0]
    if n_in != len(names):
        raise ImportError_(f"the model takes {n_in} features; schema {args.schema} has {len(names)}")
    pickled_names = getattr(estimator, "feature_names_in_", None)
    if pickled_names is None:
        pickled_names = getattr(mlp, "feature_names_in_", None)
    if pickled_names is not None:
        pickled_names = [str(n) for n in _scalars(pickled_names, "feature_names_in_")]
        if pickled_names != names:
            raise ImportError_(
                f"the model was fitted on features {_printable(str(pickled_names), 2000)}, not "
                f"schema {args.schema}")
    else:
        print(f"import_sklearn: no feature names in the pickle; assuming {args.schema} order",
              file=sys.stderr)

    scaler_out = None
    if scaler is not None:
        with_mean, with_std = getattr(scaler, "with_mean", None), getattr(scaler, "with_std", None)
        if not _is_flag(with_mean) or not _is_flag(with_std):
            raise ImportError_("the StandardScaler's with_mean or with_std is not a flag")
        mean = [0.0] * n_in
        scale = [1.0] * n_in
        if with_mean:
            mean = _array(getattr(scaler, "mean_", None), 1, "scaler.mean_")
        if with_std:
            scale = _array(getattr(scaler, "scale_", None), 1, "scaler.scale_")
        if len(mean) != n_in or len(scale) != n_in:
            raise ImportError_(f"the scaler has {len(mean)} means and {len(scale)} scales for "
                               f"{n_in} features")
        scaler_out = {"mean": _floats(mean, "scaler.mean"), "scale": _floats(scale, "scaler.scale")}

    layers_out = []
    for k, (w, b) in enumerate(layers):
        layers_out.append({
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
        "hidden_activation": activation,
        "output_activation": "logistic",
        "layers": layers_out,
        "classes": _classes(mlp),
        "decision_threshold": args.threshold,
        "metadata": _metadata(mlp, layers, args, pickle_sha256, extra),
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


def _parser():
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
    p.add_argument("--max-mb", type=int, default=MAX_MB_DEFAULT,
                   help="refuse a pickle file, or the pickle decompressed from a joblib file, "
                   f"over this many MiB (1..4096, default: {MAX_MB_DEFAULT})")
    return p


def main(argv=None):
    p = _parser()
    args = p.parse_args(argv)
    if not 0.0 <= args.threshold <= 1.0:
        p.error("--threshold must be within [0, 1]")
    if not 1 <= args.max_mb <= 4096:
        p.error("--max-mb must be within 1..4096")
    max_bytes = args.max_mb << 20
    try:
        digest = _sha256(args.pickle, max_bytes)  # refuses an oversized file unread
        extra = None
        if args.metadata:
            with open(args.metadata) as f:
                extra = json.load(f)
        try:
            estimator = _load_pickle(args.pickle, max_bytes)
        except ImportError_:
            raise
        except Exception as e:  # a truncated or malformed pickle (MemoryError, RecursionError
            # included): report, do not crash
            raise ImportError_(f"cannot unpickle {_printable(args.pickle)}: {type(e).__name__}: "
                               f"{_printable(str(e), 500)}")
        try:
            doc = convert(estimator, args, digest, extra)
        except ImportError_:
            raise
        except Exception as e:  # convert checks what it uses; this is a last resort
            raise ImportError_(f"cannot convert {_printable(args.pickle)}: {type(e).__name__}: "
                               f"{_printable(str(e), 500)}")
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

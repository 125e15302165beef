"""NKI dtypes (strings, as in NKI 0.3+) and their nsim kernel-text names and numpy forms."""
import numpy as np

# NKI name -> (nsim kernel-text name, bytes, numpy dtype values are held in on the host)
DTYPES = {
    "float32": ("f32", 4, np.float32),
    "tfloat32": ("tf32", 4, np.float32),
    "bfloat16": ("bf16", 2, np.float32),
    "float16": ("f16", 2, np.float16),
    "float8_e4m3": ("f8e4m3", 1, np.float32),
    "float8_e4m3fn": ("f8e4m3", 1, np.float32),
    "float8_e5m2": ("f8e5m2", 1, np.float32),
    "int8": ("i8", 1, np.int8),
    "uint8": ("u8", 1, np.uint8),
    "int16": ("i16", 2, np.int16),
    "uint16": ("u16", 2, np.uint16),
    "int32": ("i32", 4, np.int32),
    "uint32": ("u32", 4, np.uint32),
    "bool_": ("bool", 1, np.bool_),
}
_ALIASES = {"bool": "bool_", "fp32": "float32", "float8e4": "float8_e4m3",
            "float8e5": "float8_e5m2"}


def canonical(dtype):
    """The NKI name of a dtype given as an nl.* value, a numpy dtype or a string (matched by its
    last name component, as NKI's front end does); ValueError for an unknown one."""
    if isinstance(dtype, type) and issubclass(dtype, np.generic):
        dtype = np.dtype(dtype).name
    elif isinstance(dtype, np.dtype):
        dtype = dtype.name
    name = str(dtype).split(".")[-1]
    name = _ALIASES.get(name, name)
    if name not in DTYPES:
        raise ValueError(f"unsupported dtype '{dtype}', expected one of {', '.join(DTYPES)}")
    return name


def size(dtype):
    entry = DTYPES.get(dtype)
    return (entry or DTYPES[canonical(dtype)])[1]


def text_name(dtype):
    entry = DTYPES.get(dtype)
    return (entry or DTYPES[canonical(dtype)])[0]


def host_dtype(dtype):
    return DTYPES[canonical(dtype)][2]

"""neuronxcc.nki.compiler (NKI Beta 1): the compilation directives, which change no result, are
accepted and do nothing (nsim keeps program order and places tensors itself); direct allocation
(ncc.sbuf / ncc.psum allocators) is one NotImplementedError naming the call."""
import contextlib

from .errors import unsupported, stub_module_getattr


def _passthrough(fn=None, *args, **kwargs):
    """A decorator with or without arguments that returns the kernel unchanged."""
    if callable(fn):
        return fn
    return lambda f: f


skip_middle_end_transformations = force_auto_alloc = enable_stack_allocator = _passthrough


@contextlib.contextmanager
def _nothing(*args, **kwargs):
    yield


no_reorder = allocation_scope = _nothing


def multi_buffer(factor=2):
    """A buffer-count hint; nsim rotates buffers per allocation site (docs/nki.md)."""
    return factor


class _Allocator:
    """ncc.sbuf / ncc.psum: auto_alloc() is nl.sbuf / nl.psum; direct allocation is not
    implemented."""

    def __init__(self, buffer):
        self.buffer = buffer

    def auto_alloc(self):
        return self.buffer

    def __getattr__(self, name):
        def not_implemented(*args, **kwargs):
            raise unsupported(f"ncc.{self.buffer}.{name} (direct allocation)")
        return not_implemented


sbuf, psum = _Allocator("sbuf"), _Allocator("psum")


__getattr__ = stub_module_getattr("ncc")

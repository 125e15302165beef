"""Where in the kernel's own Python file a call was made, and the errors that name it."""
import os
import sys

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class NkiError(Exception):
    """A kernel broke a rule of NKI or of the chip: the message starts with the kernel's
    file:line (also in .file and .line)."""

    def __init__(self, message, where=None):
        where = where or caller()
        self.file, self.line = where
        super().__init__(f"{where[0]}:{where[1]}: {message}")


_OURS = {}  # code object -> whether it is nsim.nki's


def caller():
    """(file, line) of the innermost frame outside nsim.nki: the kernel line that made the call."""
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        ours = _OURS.get(code)
        if ours is None:
            ours = _OURS[code] = os.path.dirname(os.path.abspath(code.co_filename)) == _PACKAGE_DIR
        if not ours:
            break
        frame = frame.f_back
    if frame is None:
        return ("<unknown>", 0)
    return (frame.f_code.co_filename, frame.f_lineno)


def unsupported(name):
    """The one error for an NKI API nsim does not implement: never a wrong result."""
    where = caller()
    return NotImplementedError(f"{where[0]}:{where[1]}: {name} is not implemented by nsim.nki "
                               f"(see docs/nki.md for what is)")


def stub_module_getattr(prefix):
    """A module's __getattr__: a name the module lacks is a callable raising `unsupported` for
    `prefix.name` at the kernel line that calls it."""
    def module_getattr(name):
        if name.startswith("__"):
            raise AttributeError(name)

        def not_implemented(*args, **kwargs):
            raise unsupported(f"{prefix}.{name}")
        return not_implemented
    return module_getattr

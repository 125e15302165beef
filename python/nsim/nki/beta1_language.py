"""neuronxcc.nki.language (NKI Beta 1): nki.language with Beta 1's differences. The operator
tokens called as functions promote dtypes as Beta 1 does (comparisons give bool tiles); every
call takes mask= (docs/nki-beta1.md)."""
from . import language as _language
from .language import *  # noqa: F401,F403 (the shared surface)
from .tokens import TOKENS as _TOKENS
from .tokens import Token as _Token

for _name, _token in _TOKENS.items():
    globals()[_name] = _Token(_token.name, _token.alu, _token.act, beta1=True)


def __getattr__(name):
    return _language.__getattr__(name)

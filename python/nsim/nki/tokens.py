"""Operator and activation tokens (`op=nl.add`, `op=nl.exp`): nl.* objects naming an nsim ALU
operator and/or activation function. Called as functions they are NKI's high-level ops
(lowering.py)."""
from .errors import unsupported


class Token:
    """`beta1`: the neuronxcc.nki.language token, whose function form follows Beta 1's dtype
    rule (type promotion) rather than 0.3+'s (the first tile's dtype)."""

    def __init__(self, name, alu=None, act=None, beta1=False):
        self.name, self.alu, self.act, self.beta1 = name, alu, act, beta1

    def __repr__(self):
        return f"nl.{self.name}"

    def __call__(self, *args, **kwargs):
        """The function form: a new tile (lowering.py)."""
        from . import lowering
        if len(args) == 2:
            return lowering.binary(self, *args, promote=self.beta1, **kwargs)
        if len(args) == 1 and "axis" not in kwargs:
            return lowering.unary(self, *args, **kwargs)
        raise unsupported(f"nl.{self.name}(...) with these arguments")


_ALU = ["add", "subtract", "multiply", "divide", "maximum", "minimum", "power", "equal",
        "not_equal", "greater", "greater_equal", "less", "less_equal", "logical_and", "logical_or",
        "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
        "left_shift", "right_shift"]
_ACT = {"copy": "copy", "exp": "exp", "tanh": "tanh", "sigmoid": "sigmoid", "silu": "silu",
        "gelu": "gelu", "gelu_apprx_tanh": "gelu_tanh", "sqrt": "sqrt", "log": "log",
        "sign": "sign", "erf": "erf", "softplus": "softplus"}
# Both an ALU operator and an activation function.
_BOTH = {"abs": "abs", "square": "square", "relu": "relu", "rsqrt": "rsqrt",
         "reciprocal": "reciprocal"}

TOKENS = {}
for _n in _ALU:
    TOKENS[_n] = Token(_n, alu=_n)
for _n, _a in _ACT.items():
    TOKENS[_n] = Token(_n, act=_a)
for _n, _a in _BOTH.items():
    TOKENS[_n] = Token(_n, alu=_a, act=_a)
TOKENS["bypass"] = Token("bypass", alu="bypass", act="copy")
TOKENS["invert"] = Token("invert", alu="bitwise_not")  # NKI's name for bitwise not


def alu_name(op, what):
    """The nsim ALU operator of token `op` (an nl.* token or numpy function), or an error."""
    token = _lookup(op)
    if token is None or token.alu is None:
        raise unsupported(f"{what}={op!r} (not an ALU operator nsim has)")
    return token.alu


def act_name(op, what):
    token = _lookup(op)
    if token is None or token.act is None:
        raise unsupported(f"{what}={op!r} (not an activation function nsim has)")
    return token.act


def _lookup(op):
    if isinstance(op, Token):
        return op
    name = getattr(op, "__name__", None) or (op if isinstance(op, str) else None)
    return TOKENS.get({"amax": "maximum", "amin": "minimum", "max": "maximum",
                       "min": "minimum"}.get(name, name))

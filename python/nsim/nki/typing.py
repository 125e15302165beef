"""neuronxcc.nki.typing (NKI Beta 1): `nt.tensor[[8192, 4096], nl.bfloat16]` is an input that has
a shape and a dtype but no values (nsim.nki.placeholder): nki.benchmark runs on it timing only."""
from .kernel import placeholder


class _TensorType:
    def __getitem__(self, key):
        if not isinstance(key, tuple) or len(key) != 2:
            raise TypeError("nt.tensor[[shape], dtype]: a shape and a dtype")
        return placeholder(tuple(key[0]), key[1])


tensor = mutable_tensor = _TensorType()

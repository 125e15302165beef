"""pytest setup: the nsim package from the build tree (ctest sets PYTHONPATH), the NKI module
names bound to nsim.nki as `python3 -m nsim.nki` binds them, and trn1 unless a test says."""
import pathlib
import sys

import pytest

from nsim.nki.__main__ import install_aliases

install_aliases()
ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "nki"))


@pytest.fixture(autouse=True)
def chip_trn1(monkeypatch):
    import nsim.nki as nki
    monkeypatch.setattr(nki.settings, "chip", "trn1")
    monkeypatch.setattr(nki.settings, "timing_only", None)
    monkeypatch.setattr(nki.settings, "rotation", 2)
    monkeypatch.delenv("NSIM_TIMING_ONLY", raising=False)
    yield

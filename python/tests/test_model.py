"""Models from files and dicts: the anchor identity, keys, text, and every
bad input raising the right exception with the key in its message."""
import numpy as np
import pytest

import laminar


def softmax_attention(x, wq, wk, wv):
    q, k, v = x @ wq, x @ wk, x @ wv
    s = q @ k.T / np.sqrt(wq.shape[1])
    w = np.exp(s - s.max(axis=1, keepdims=True))
    w /= w.sum(axis=1, keepdims=True)
    return w @ v


def ideal(T, d, x, wq, wk, wv):
    """The tables' defaults are the circuit with the biology switched off
    (linear transfer, product gate, subtractive PV, beta = 1, clocks off:
    docs/model.md), whose steady state is transformer attention."""
    return laminar.Model.from_dict({
        "network": {"columns": T, "heads": 1, "d_in": d, "d_k": d, "d_v": d},
        "solver": {"rtol": 1e-10, "atol": 1e-12},
        "input": {"x": x},
        "weights": {"wq": wq, "wk": wk, "wv": wv},
    })


def test_anchor_identity_random_matrices():
    rng = np.random.default_rng(7)
    T, d = 5, 3
    x = rng.normal(size=(T, d))
    wq, wk, wv = (rng.normal(size=(d, d)) / np.sqrt(d) for _ in range(3))
    r = laminar.run(ideal(T, d, x, wq, wk, wv), t_end=2.0, dt_record=0.1, record="out")
    out = r.traces["out"][-1]  # columns x units
    assert out.shape == (T, d)
    np.testing.assert_allclose(out, softmax_attention(x, wq, wk, wv), atol=1e-6, rtol=0)


def test_file_keys_get_set_text(default_model, tmp_path):
    m = laminar.Model(default_model)
    assert m.kind == "attention"
    assert "column.beta" in m.keys() and "solver.rtol" in m.keys()
    assert m["network.columns"] == 8 and isinstance(m["network.columns"], int)
    assert isinstance(m["clocks.enabled"], bool)
    m["column.beta"] = 2
    assert m.get("column.beta") == 2.0
    assert "beta = 2 " in m.to_ini()
    # The text is a model file that reads back to the same text.
    path = tmp_path / "again.ini"
    m.to_ini(path)
    assert laminar.Model(path).to_ini().replace(str(path), "") == \
        m.to_ini().replace(str(path), "")


def test_sets_like_command_line(default_model):
    a = laminar.Model(default_model, sets=["column.beta=3"])
    assert a["column.beta"] == 3.0


def bad(exc, *words):
    """The exception and every word in its message."""
    class Check:
        def __enter__(self):
            self.ctx = pytest.raises(exc)
            self.info = self.ctx.__enter__()
            return self

        def __exit__(self, *a):
            r = self.ctx.__exit__(*a)
            for w in words:
                assert w in str(self.info.value), (w, str(self.info.value))
            return r
    return Check()


def test_unknown_key(default_model):
    m = laminar.Model(default_model)
    with bad(laminar.ModelError, "column.betta", "unknown key"):
        m.set("column.betta", 1)
    with bad(laminar.ModelError, "nosuch"):
        m.set("nosuch.key", 1)
    with bad(laminar.ModelError, "column.betta"):
        m.get("column.betta")


def test_out_of_range_and_wrong_type(default_model):
    m = laminar.Model(default_model)
    with bad(laminar.ModelError, "column.beta", "expected a value in"):
        m.set("column.beta", -1)
    with bad(laminar.ModelError, "network.columns", "integer"):
        m.set("network.columns", 2.5)
    with bad(laminar.ModelError, "column.beta", "expected"):
        m.set("column.beta", "abc")
    with bad(laminar.ModelError, "column.beta", "found dict"):
        m.set("column.beta", {})
    with bad(laminar.ModelError, "column.beta", "finite"):
        m.set("column.beta", float("nan"))
    with bad(laminar.ModelError, "column.gate"):
        m.set("column.gate", "nosuch")


def test_arrays_shapes_and_nan():
    with bad(laminar.ModelError, "input.x", "finite"):
        laminar.Model.from_dict({"network": {"columns": 2, "d_in": 2},
                                 "input": {"x": np.array([[1.0, np.nan], [0, 1]])}})
    with bad(laminar.ModelError, "weights.wq", "2 x 2"):
        laminar.Model.from_dict({"network": {"columns": 2, "heads": 1, "d_in": 2,
                                             "d_k": 2, "d_v": 2},
                                 "weights": {"wq": np.ones((3, 3))}})
    with bad(laminar.ModelError, "input.x", "array"):
        laminar.Model.from_dict({"input": {"x": [[1, 2], [3]]}})
    with bad(laminar.ModelError, "column.beta", "CSV"):
        laminar.Model.from_dict({"column": {"beta": np.ones((2, 2))}})


def test_bad_kind_and_dict():
    with bad(laminar.ModelError, "column.kind", "attention"):
        laminar.Model.from_dict({"column": {"kind": "nosuch"}})
    with bad(laminar.ModelError, "dict"):
        laminar.Model.from_dict([1, 2])


def test_missing_file(tmp_path):
    with bad(FileNotFoundError, "nosuch.ini"):
        laminar.Model(tmp_path / "nosuch.ini")
    p = tmp_path / "typo.ini"
    p.write_text("[column]\nbetta = 2\n")
    with bad(laminar.ModelError, "typo.ini:2", "betta"):
        laminar.Model(p)


def test_other_kinds(root):
    m = laminar.Model(root / "models" / "jansen-rit.ini")
    assert m.kind == "jansen-rit"
    r = laminar.run(m, t_end=0.2)
    assert set(r.traces) and all(v.shape[0] == len(r.time) for v in r.traces.values())
    d = laminar.Model.from_dict({"column": {"kind": "wilson-cowan"}})
    assert d.kind == "wilson-cowan"

"""Self-test vectors: the byte layout, and the bundled pack's vectors against its ONNX files."""

from __future__ import annotations

import json

import numpy as np

from screwid_train.designs import repo_root
from screwid_train.hospital_export import verify_pack
from screwid_train.selftest import INDEX, check_with_onnxruntime, write_selftest


def test_vectors_are_little_endian_f32_in_c_order(tmp_path) -> None:
    x = np.array([[[[1.0, -2.0], [0.5, 3.0]]]], dtype=np.float32)
    write_selftest(tmp_path, {"view": [x]}, lambda _n, a: a.sum(axis=(2, 3)), "test")
    # 1.0 = 00 00 80 3f, -2.0 = 00 00 00 c0 (IEEE 754 binary32, little-endian).
    raw = (tmp_path / "selftest" / "view_0.input.bin").read_bytes()
    assert raw[:8] == bytes([0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0])
    assert len(raw) == 16
    index = json.loads((tmp_path / INDEX).read_text())
    v = index["vectors"][0]
    assert v["input_shape"] == [1, 1, 2, 2] and v["output_shape"] == [1, 1]
    out = np.frombuffer((tmp_path / v["output"]).read_bytes(), dtype="<f4")
    assert out.tolist() == [2.5]


def test_bundled_pack_vectors_match_onnxruntime() -> None:
    pack = repo_root() / "models" / "phantom-demo"
    manifest = verify_pack(pack)  # every checksum, vectors included
    assert manifest["selftest"] == INDEX
    assert check_with_onnxruntime(pack) < 1e-5

"""A fast run of benchmarks/million_vectors.py on the hashing fake: small collection, IVF forced by the threshold.

Skipped without the XQuAD files in ../shared/datasets/xquad. Writes only under tmp_path.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import million_vectors  # noqa: E402
from retrieval_xquad import DEFAULT_XQUAD  # noqa: E402


def test_synthetic_vectors_stay_near_their_topic() -> None:
    rng = np.random.default_rng(1)
    anchors = rng.normal(size=(20, 16)).astype(np.float32)
    anchors /= np.linalg.norm(anchors, axis=1, keepdims=True)
    made = million_vectors.synthetic_vectors(anchors, anchors, 2000)
    assert made.shape == (2000, 16) and np.allclose(np.linalg.norm(made, axis=1), 1, atol=1e-5)
    best = (made @ anchors.T).max(axis=1)
    assert 0.75 < float(np.median(best)) < 0.95


@pytest.mark.skipif(not (DEFAULT_XQUAD / "xquad.de.json").is_file(), reason="XQuAD files not found")
def test_benchmark_reports_recall_latency_build_and_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QA_FLAT_INDEX_MAX_VECTORS", "1000")
    out = tmp_path / "figures.json"
    assert million_vectors.main(["--vectors", "6000", "--queries", "100", "--embedder", "hashing", "--nprobe", "4,64",
                                 "--cache", str(tmp_path / "cache"), "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert figures["index"] == "IndexIVFFlat" and figures["vectors"] == 6000 and figures["queries"] == 100
    few, many = figures["rows"][:2]
    assert figures["rows"][-1]["threads"] == 1
    assert few["nprobe"] == 4 and many["nprobe"] == 64
    assert few["recall@10"] < many["recall@10"] == pytest.approx(1.0)  # 64 of 77 lists: nearly exact
    assert many["query_ms"]["p95"] >= many["query_ms"]["p50"] > 0 and figures["build_s"] > 0
    assert figures["index_bytes"] > 6000 * 256 * 4

"""Checks `npm run results -- knn` against the course's own numpy code (knn.ipynb / k_nearest_neighbor.py).

The results script saves the course's draw (first 5,000 training and 500 test images, as float64 rows)
and nabla's test accuracy for each k to .cache/knn-draw0.npz. This recomputes those accuracies with the
course's vectorised distances and its voting (np.argmax(np.bincount(closest_y)): ties go to the smaller
label) and fails if any differs. Needs numpy only; not part of the test suite.
"""
import pathlib
import sys

import numpy as np

path = pathlib.Path(__file__).resolve().parent.parent / ".cache" / "knn-draw0.npz"
if not path.exists():
    sys.exit(f"{path} is missing: run `npm run results -- knn` first")
d = np.load(path)
Xtr, ytr, Xte, yte = d["XTrain"], d["yTrain"], d["XTest"], d["yTest"]
dists = np.sqrt(
    np.maximum(np.sum(Xte**2, axis=1)[:, None] - 2 * Xte @ Xtr.T + np.sum(Xtr**2, axis=1)[None, :], 0)
)
order = np.argsort(dists, axis=1, kind="stable")
bad = 0
for k, ours in zip(d["k"], d["accuracies"]):
    pred = np.array([np.argmax(np.bincount(ytr[order[i, :k]])) for i in range(len(yte))])
    theirs = np.mean(pred == yte)
    ok = abs(theirs - ours) < 1e-12
    bad += not ok
    print(f"k = {k:3d}: nabla {ours:.3f}, course's numpy code {theirs:.3f} {'ok' if ok else 'DIFFERENT'}")
sys.exit(1 if bad else 0)

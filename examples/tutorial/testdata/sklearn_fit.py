"""Fit scikit-learn's unpenalised logistic regression to radius_texture.csv
and write sklearn.json, the optimum examples/tutorial's test compares
gradient descent with.

Run it from the repository root with Debian's scikit-learn (apt-get install
python3-sklearn):

    /usr/bin/python3 examples/tutorial/testdata/sklearn_fit.py

The Go test never runs Python; it reads the JSON this writes.
"""

import json
import os
import sys

import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    path = os.path.join(HERE, "radius_texture.csv")
    with open(path) as f:
        names = f.readline().strip().split(",")
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    x, y = data[:, :2], data[:, 2]

    # The file is a cut of the full data set; make sure the cut took the
    # columns it says it did, by comparing with scikit-learn's copy.
    ref = load_breast_cancer()
    if list(ref.feature_names[:2]) != names[:2] or not (
        np.array_equal(ref.data[:, :2], x) and np.array_equal(ref.target, y)
    ):
        sys.exit("radius_texture.csv does not match load_breast_cancer()'s first two columns")

    # StandardScaler divides by the population standard deviation (ddof=0),
    # which is what the Go program's zscore does.
    scaler = StandardScaler().fit(x)
    xs = scaler.transform(x)

    # penalty=None: the plain mean log loss, the lesson's J(w, b). The
    # tolerance is far below what lbfgs would stop at by default so that J
    # is the optimum's to many more digits than the test's 1e-4.
    model = LogisticRegression(penalty=None, solver="lbfgs", tol=1e-12, max_iter=10000)
    model.fit(xs, y)
    w, b = model.coef_[0], model.intercept_[0]

    # J = mean of softplus(z) - y z, the log loss written without sigmoid,
    # in float64.
    z = xs @ w + b
    j = float(np.mean(np.logaddexp(0.0, z) - y * z))
    # The gradient of J, (1/m) [xs 1]^T (sigmoid(z) - y), as evidence that
    # this is the optimum.
    r = 1.0 / (1.0 + np.exp(-z)) - y
    grad = np.concatenate([xs.T @ r, [r.sum()]]) / len(y)

    out = {
        "features": names[:2],
        "label": "1 = " + names[2] + ", 0 = malignant",
        "rows": int(len(y)),
        "scaling": "z-score per feature: (x - mean) / std, std the population "
        "standard deviation (ddof=0), sklearn.preprocessing.StandardScaler",
        "mean": scaler.mean_.tolist(),
        "std": scaler.scale_.tolist(),
        "model": "sklearn.linear_model.LogisticRegression(penalty=None, "
        "solver='lbfgs', tol=1e-12, max_iter=10000) on the scaled features",
        "coef": w.tolist(),
        "intercept": float(b),
        "J": j,
        "grad_norm": float(np.linalg.norm(grad)),
        "iterations": int(model.n_iter_[0]),
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
    }
    with open(os.path.join(HERE, "sklearn.json"), "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()

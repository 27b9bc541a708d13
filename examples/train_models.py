"""Trains the example models: a 10-feature LinearRegression for model-1 and model-2, on data with known coefficients.

y = 100 * (1*x1 + 2*x2 + ... + 10*x10) + 7, without noise, so the fit recovers the coefficients and the
prediction for [1..10] is 100 * 385 + 7 = 38507 and for [10..1] is 100 * 220 + 7 = 22007 (up to rounding).
Run with the interpreter the node uses (default /usr/bin/python3).
"""
import os
import sys

import joblib
import numpy
from sklearn.linear_model import LinearRegression

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    rng = numpy.random.default_rng(42)
    X = rng.uniform(-10, 10, size=(200, 10))
    coef = 100.0 * numpy.arange(1, 11)
    y = X @ coef + 7.0
    model = LinearRegression().fit(X, y)
    for m in ("model-1", "model-2"):
        folder = os.path.join(HERE, "cli", "endpoints", "online", m, "model")
        os.makedirs(folder, exist_ok=True)
        joblib.dump(model, os.path.join(folder, "sklearn_regression_model.pkl"))
    print("trained: coef", numpy.round(model.coef_, 6).tolist(), "intercept", round(float(model.intercept_), 6),
          file=sys.stderr)


if __name__ == "__main__":
    main()

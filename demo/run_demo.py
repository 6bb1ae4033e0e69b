"""The main job, end to end on DuckDB: train, compile to SQL, score inside the database.

Trains a preprocessing + logistic regression pipeline on scikit-learn's breast cancer data,
compiles it with skl2sql, scores a DuckDB table with the SQL and prints a few predictions beside
sklearn's own.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skl2sql

OUT = Path(__file__).resolve().parent.parent / "demo" / "output"


def main() -> int:
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(X, y)
    scoring = X.copy()
    scoring.insert(0, "patient_id", range(len(X)))

    OUT.mkdir(parents=True, exist_ok=True)
    db_path = OUT / "demo.duckdb"
    db_path.unlink(missing_ok=True)
    con = duckdb.connect(str(db_path))
    con.register("scoring_df", scoring)
    con.execute("CREATE TABLE patients AS SELECT * FROM scoring_df")

    compiled = skl2sql.compile(model, table="patients", dialect="duckdb", keep=["patient_id"])
    (OUT / "breast_cancer_model.sql").write_text(compiled.sql + "\n")
    con.execute("CREATE OR REPLACE VIEW predictions AS " + compiled.sql)
    rows = con.execute("SELECT * FROM predictions ORDER BY patient_id").fetchnumpy()

    proba = model.predict_proba(X)[:, 1]
    labels = model.predict(X)
    max_diff = float(np.max(np.abs(rows["probability_1"] - proba)))
    agree = float(np.mean(rows["prediction"] == labels))
    print(f"compiled {type(model).__name__} -> {len(compiled.sql):,} bytes of DuckDB SQL")
    print(f"outputs: {compiled.outputs}")
    print(f"{'patient':>8} {'sql label':>9} {'sklearn':>8} {'sql P(1)':>20} {'sklearn P(1)':>20}")
    for i in range(5):
        print(f"{i:>8} {rows['prediction'][i]:>9} {labels[i]:>8} {rows['probability_1'][i]:>20.17f} {proba[i]:>20.17f}")
    print(f"labels agree on {agree:.0%} of {len(X)} rows; max |P(sql) - P(sklearn)| = {max_diff:.2e}")
    print(f"DuckDB file: {db_path} (view `predictions`); SQL: {OUT / 'breast_cancer_model.sql'}")
    con.close()
    return 0 if agree == 1.0 and max_diff < 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())

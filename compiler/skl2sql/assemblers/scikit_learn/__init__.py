"""scikit-learn's estimator families, one module each (registered in :mod:`skl2sql.assemblers`)."""

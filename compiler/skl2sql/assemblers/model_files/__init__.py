"""Readers of other libraries' model files (LightGBM text, XGBoost JSON) into plain dataclasses; no IR here."""

"""Adapters for other libraries' estimators; each registers its classes only when the library is installed."""

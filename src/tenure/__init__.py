"""Tenure: key account management and key-account retention."""

__version__ = "0.1.0"

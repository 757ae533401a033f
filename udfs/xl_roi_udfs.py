"""Placeholder, replaced by the Excel functions."""

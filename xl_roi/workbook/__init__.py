"""Workbooks: build the template, fill it from a case, read it back, check it."""

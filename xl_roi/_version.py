"""The one place the version of xl_roi is written."""

__version__ = "0.1.0"

"""segurcheck: pre-submission checks for Ségur referencing dossiers."""

__version__ = "0.1.0"

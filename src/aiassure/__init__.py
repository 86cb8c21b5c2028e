"""aiassure: assure AI in health and care against declarative rubrics."""

__version__ = "0.1.0"

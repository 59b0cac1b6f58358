"""mllint-wa: lint machine-learning repositories against the AWS Well-Architected ML Lens."""

__version__ = "0.1.0"

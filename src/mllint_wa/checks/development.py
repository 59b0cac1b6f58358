"""MD: model development evidence in code and notebooks."""

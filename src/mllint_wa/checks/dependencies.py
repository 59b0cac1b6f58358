"""Dependencies and the model supply chain."""

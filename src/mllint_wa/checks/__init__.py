"""Built-in rules, one module per lifecycle phase (and one for the manifest itself)."""

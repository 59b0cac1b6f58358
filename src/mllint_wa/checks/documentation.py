"""Model cards, datasheets and the paths the manifest declares."""

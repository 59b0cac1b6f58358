"""Container images the project builds."""

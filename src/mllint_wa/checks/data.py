"""DP: data processing evidence — data in git, data versioning, data validation."""

"""The factor library (因子库): emission and carbon-footprint factors with their provenance, every version kept."""

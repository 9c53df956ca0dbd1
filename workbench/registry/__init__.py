"""Standards registry: standards, products, identifiers and the level rules."""

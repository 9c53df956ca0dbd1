"""Trial calculations (试算) and the factor library."""

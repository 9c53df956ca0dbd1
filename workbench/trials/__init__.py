"""Trial calculations (试算): enterprises' data under a rule revision, the engine, the feasibility report."""

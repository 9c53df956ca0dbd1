"""A rule's way through its stages: the moves that need drafting, trials and publishing at once."""

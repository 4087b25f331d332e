"""Computer lifecycle: the replacement policy and the year-by-year replacement plan."""

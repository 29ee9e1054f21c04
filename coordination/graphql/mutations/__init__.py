"""One mutation per command of B1-B5 and B10, one module per area, merged into `Mutation`."""

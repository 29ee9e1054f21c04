"""One mutation per command of B1-B4, one module per area, merged into `Mutation`."""

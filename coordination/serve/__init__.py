"""What `coordination serve` runs: the HTTP server's processes (`node`) and the log's
integrator as a child process it supervises (`supervisor`)."""

"""`python -m coordination`: the command line, run by the interpreter that runs this (a
supervisor starts the integrator this way, whatever is on the path)."""

from coordination.cli import app

app(prog_name="coordination")

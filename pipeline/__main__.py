"""`python -m pipeline` runs the same CLI as the `pipeline` command."""

from pipeline.cli import main

main()

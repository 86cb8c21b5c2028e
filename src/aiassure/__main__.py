"""`python -m aiassure` runs the command line."""

from .cli import main

main()

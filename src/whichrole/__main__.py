"""`python -m whichrole` is the `whichrole` command."""
from .cli import main

main()

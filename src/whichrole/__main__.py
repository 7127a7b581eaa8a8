"""`python -m whichrole` is the `whichrole` command."""
from .cli import main

if __name__ == "__main__":  # worker processes import this module again (parallel.py)
    main()

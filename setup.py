"""The lexicon's reader in C (src/whichrole/_reading.c), built by the same compiler durable_rules
needs: the one thing pyproject.toml leaves to this file, as setuptools still calls its own table
for extensions experimental."""
from setuptools import Extension, setup

setup(ext_modules=[Extension("whichrole._reading", ["src/whichrole/_reading.c"])])

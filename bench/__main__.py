"""Run every benchmark module in this folder: `python -m bench [name ...]`."""
import importlib
import pkgutil
import sys
from pathlib import Path


def main(names: list[str]) -> None:
    found = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_"))
    for name in names or found:
        if name not in found:
            sys.exit(f"bench: no benchmark {name!r} (have: {', '.join(found)})")
        print(f"== bench.{name}", flush=True)
        importlib.import_module(f"bench.{name}").main()


if __name__ == "__main__":
    main(sys.argv[1:])

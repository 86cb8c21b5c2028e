"""The floor of `score` end to end: read every YAML file of the folders given and parse it with CSafeLoader.

Usage: python bench/parse_floor.py FOLDER...   (as a whole process: Python's start-up included)
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml


def main(folders: list[str]) -> None:
    for folder in folders:
        for path in sorted(Path(folder).glob("*.yaml")):
            yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)


if __name__ == "__main__":
    main(sys.argv[1:])

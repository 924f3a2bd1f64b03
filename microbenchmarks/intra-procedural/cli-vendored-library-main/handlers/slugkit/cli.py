"""Rename a file to its slug: ``python -m slugkit.cli "My Holiday Photo.JPG"``."""
import os
import sys

from slugkit import slugify


def slug_path(path):
    head, tail = os.path.split(path)
    stem, ext = os.path.splitext(tail)
    return os.path.join(head, slugify(stem) + ext.lower())


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m slugkit.cli FILE")
    source = sys.argv[1]
    sys.exit(os.system('mv -n "%s" "%s"' % (source, slug_path(source))))

"""Local thumbnail cache shared by the functions of this service."""
import os
import sys

DEFAULT_CACHE_DIR = "/tmp/thumbnail-cache"


def cache_dir():
    """Directory of the cache.

    Test runs and local tooling may pass ``--cache-dir=PATH``; in Lambda the
    interpreter's argv carries no such flag and the environment decides.
    """
    for arg in sys.argv[1:]:
        if arg.startswith("--cache-dir="):
            return arg.split("=", 1)[1]
    return os.environ.get("CACHE_DIR", DEFAULT_CACHE_DIR)


def purge():
    directory = cache_dir()
    os.system("find " + directory + " -type f -mmin +30 -delete")
    return directory

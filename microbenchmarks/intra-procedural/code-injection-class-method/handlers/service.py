import logging
import os

logger = logging.getLogger(__name__)


class ArchiveTool:
    """Runs an archive utility against files in the scratch directory."""

    def __init__(self, prefix):
        self.prefix = prefix

    def run(self, arg):
        logger.info("running %s%s", self.prefix, arg)
        status = os.system(self.prefix + arg)
        return os.waitstatus_to_exitcode(status)

import logging
import os

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def handler(event, context):
    detail = event.get("detail") or {}
    directory = detail.get("directory", "/tmp/cache")
    max_age = detail.get("maxAgeMinutes", 60)

    logger.info("removing files older than %s minutes from %s", max_age, directory)
    status = os.system(f"find {event['detail']['directory']} -type f -mmin +{max_age} -delete")
    return {"directory": directory, "exitStatus": status}

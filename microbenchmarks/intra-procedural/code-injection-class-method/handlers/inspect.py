import json
import os

from handlers.service import ArchiveTool

ARCHIVE_DIR = os.environ["ARCHIVE_DIR"]


def handler(event, context):
    body = json.loads(event.get("body") or "{}")
    archive = body["archive"]

    tool = ArchiveTool("tar -tzf " + ARCHIVE_DIR + "/")
    exit_code = tool.run(archive)

    if exit_code != 0:
        return {"statusCode": 422, "body": json.dumps({"archive": archive, "valid": False})}
    return {"statusCode": 200, "body": json.dumps({"archive": archive, "valid": True})}

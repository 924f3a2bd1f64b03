import json
import logging
import os

logger = logging.getLogger()
logger.setLevel(logging.INFO)

UPLOAD_DIR = "/tmp/uploads"
MAX_ENTRIES = 500


def handler(event, context):
    """POST /bundles/inspect {"archive": "site-build-142.zip"}: list the files of an uploaded bundle."""
    body = json.loads(event.get("body") or "{}")
    upload_path = os.path.join(UPLOAD_DIR, body["archive"])
    logger.info("inspecting bundle %s", upload_path)

    with zipfile.ZipFile(upload_path) as bundle:
        entries = [{"name": info.filename, "size": info.file_size} for info in bundle.infolist()[:MAX_ENTRIES]]

    total = sum(entry["size"] for entry in entries)
    return {"statusCode": 200, "body": json.dumps({"archive": body["archive"], "files": entries, "totalBytes": total})}

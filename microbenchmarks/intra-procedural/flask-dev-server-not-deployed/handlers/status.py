import json
import os
import shutil


def handler(event, context):
    work_dir = os.environ.get("WORK_DIR", "/tmp/thumbnails")
    os.makedirs(work_dir, exist_ok=True)
    usage = shutil.disk_usage(work_dir)
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"free_bytes": usage.free, "jobs": len(os.listdir(work_dir))}),
    }

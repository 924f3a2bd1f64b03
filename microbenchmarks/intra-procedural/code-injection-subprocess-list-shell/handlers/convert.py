import base64
import json
import os
import shutil
import subprocess

ASSETS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "assets")
WORK_DIR = "/tmp/assets"


def _prepare_work_dir():
    # The deployment package is read-only; convert in a writable copy.
    if not os.path.isdir(WORK_DIR):
        shutil.copytree(ASSETS_DIR, WORK_DIR)


def handler(event, context):
    body = json.loads(event.get("body") or "{}")
    name = body.get("name", "icons/logo.svg")
    _prepare_work_dir()

    proc = subprocess.Popen(f"convert {name} out.png", shell=True, cwd=WORK_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, stderr = proc.communicate(timeout=20)
    if proc.returncode != 0:
        return {"statusCode": 422, "body": json.dumps({"error": stderr.decode("utf-8", "replace")})}

    with open(os.path.join(WORK_DIR, "out.png"), "rb") as fh:
        png = fh.read()

    return {
        "statusCode": 200,
        "headers": {"Content-Type": "image/png"},
        "isBase64Encoded": True,
        "body": base64.b64encode(png).decode("ascii"),
    }

import base64
import os
import shutil
import subprocess
import tempfile

FORMATS = ("png", "jpeg", "webp")


def render(source, width, fmt):
    _, scratch = tempfile.mkstemp(prefix="thumb-")
    target = scratch + "." + fmt
    subprocess.run(["convert", source, "-resize", f"{width}x", target], check=True)
    return target


def thumbnail(event, context):
    params = event.get("queryStringParameters") or {}
    name = event["pathParameters"]["name"]
    fmt = params.get("fm", "png")
    width = int(params.get("w", "320"))
    source = os.path.join("/opt/originals", os.path.basename(name))
    output = render(source, width, fmt)
    with open(output, "rb") as out:
        data = base64.b64encode(out.read()).decode()
    shutil.copy(output, os.path.join("/mnt/thumbs", params.get("album", "all"), os.path.basename(output)))
    with tempfile.NamedTemporaryFile(suffix=".log", delete=False) as log:
        log.write(fmt.encode())
    os.rename(log.name + params.get("tag", ""), log.name + ".done")
    work = tempfile.mkdtemp(dir=os.environ["WORK_DIR"])
    os.remove(os.path.join(work, params.get("cleanup", "stale.png")))
    return {"statusCode": 200, "isBase64Encoded": True, "body": data}

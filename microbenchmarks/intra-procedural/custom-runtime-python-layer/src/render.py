import json
import subprocess
import tempfile


def handler(event, context):
    body = json.loads(event.get("body") or "{}")
    title = body.get("title", "report")
    with tempfile.TemporaryDirectory() as work:
        subprocess.run(
            f"pandoc --metadata title='{title}' -o {work}/report.pdf {work}/report.md",
            shell=True,
            check=True,
            timeout=20,
        )
    return {"statusCode": 202, "body": json.dumps({"title": title})}

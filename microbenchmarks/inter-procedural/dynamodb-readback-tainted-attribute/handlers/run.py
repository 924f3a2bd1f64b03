import os
import subprocess

import boto3

table = boto3.resource("dynamodb").Table(os.environ["EXPORTS_TABLE"])


def run_export(event, context):
    item = table.get_item(Key={"id": "pending"}).get("Item")
    if not item:
        return
    subprocess.run(f"/opt/bin/export --format {item['format']} --title '{item['title']}'", shell=True, check=True)

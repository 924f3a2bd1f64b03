import json
import os
import tempfile

import boto3

s3 = boto3.client("s3")


def archive_note(event, context):
    note = json.loads(event["body"])
    key = f"notes/{note['title']}.md"
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as handle:
        handle.write(note["text"])
        local_path = handle.name
    s3.upload_file(local_path, os.environ["ARCHIVE_BUCKET"], key)
    os.remove(local_path)
    return {"statusCode": 201, "body": json.dumps({"key": key})}

import json
import os


def run_export(event, context):
    for record in event["Records"]:
        request = json.loads(record["body"])
        table = request["table"]
        fmt = request["format"]
        os.system(f"sqlite3 -{fmt} /opt/data.db 'SELECT * FROM {table}' > /tmp/export.{fmt}")

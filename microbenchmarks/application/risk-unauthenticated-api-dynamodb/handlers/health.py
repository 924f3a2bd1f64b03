import json
import os


def ping(event, context):
    return {
        "statusCode": 200,
        "body": json.dumps({"ok": True, "version": os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")}),
    }

import json
import os
import platform


def handler(event, context):
    return {
        "statusCode": 200,
        "body": json.dumps({
            "service": "build-runner",
            "python": platform.python_version(),
            "region": os.environ.get("AWS_REGION"),
            "requestId": context.aws_request_id,
        }),
    }

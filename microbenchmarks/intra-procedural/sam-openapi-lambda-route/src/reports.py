import os

REPORT_DIR = "/opt/reports"


def handler(event, context):
    name = event["pathParameters"]["name"]
    with open(os.path.join(REPORT_DIR, name)) as report:
        body = report.read()
    return {"statusCode": 200, "body": body}

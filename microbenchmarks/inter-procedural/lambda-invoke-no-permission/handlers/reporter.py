import json


def handle_report(event, context):
    summary = {"requestId": event.get("requestId"), "status": event.get("status", "unknown")}
    print(json.dumps(summary))
    return summary

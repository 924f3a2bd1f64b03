import uuid


def handler(event, context):
    return {
        "id": event.get("id") or uuid.uuid4().hex,
        "expression": event["expression"].strip(),
    }

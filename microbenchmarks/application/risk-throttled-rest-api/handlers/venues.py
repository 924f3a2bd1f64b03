import json

VENUES = [
    {"id": "syd-opera", "name": "Sydney Opera House", "capacity": 2679},
    {"id": "mel-forum", "name": "The Forum Melbourne", "capacity": 2000},
]


def handler(event, context):
    return {"statusCode": 200, "headers": {"Cache-Control": "max-age=3600"}, "body": json.dumps(VENUES)}

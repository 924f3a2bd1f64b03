import json
import traceback

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Content-Type": "application/json",
}


def ok(payload):
    return {"statusCode": 200, "headers": CORS_HEADERS, "body": json.dumps(payload)}


def bad_request(message):
    return {"statusCode": 400, "headers": CORS_HEADERS, "body": json.dumps({"error": message})}


def server_error():
    detail = f"Unexpected error while computing the rate:\n{traceback.format_exc()}"
    return {"statusCode": 500, "headers": CORS_HEADERS, "body": json.dumps({"error": detail})}

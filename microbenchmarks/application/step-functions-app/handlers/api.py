import json
import os
import uuid

import boto3

stepfunctions = boto3.client("stepfunctions")
dynamodb = boto3.client("dynamodb")


def _response(status, payload):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(payload),
    }


def createOrder(event, context):
    """POST /orders: starts the order workflow for the posted order."""
    try:
        order = json.loads(event.get("body") or "{}")
    except json.JSONDecodeError:
        return _response(400, {"error": "body must be JSON"})
    order["orderId"] = str(uuid.uuid4())
    execution = stepfunctions.start_execution(
        stateMachineArn=os.environ["STATE_MACHINE_ARN"],
        name=order["orderId"],
        input=json.dumps(order),
    )
    return _response(202, {"orderId": order["orderId"], "executionArn": execution["executionArn"]})


def getOrder(event, context):
    """GET /orders/{id}: returns the stored order, if the workflow stored it."""
    order_id = event["pathParameters"]["id"]
    result = dynamodb.get_item(TableName=os.environ["ORDERS_TABLE"], Key={"orderId": {"S": order_id}})
    if "Item" not in result:
        return _response(404, {"error": "no such order"})
    item = {name: list(value.values())[0] for name, value in result["Item"].items()}
    return _response(200, item)

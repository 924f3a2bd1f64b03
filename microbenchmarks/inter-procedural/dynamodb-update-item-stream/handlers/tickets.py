import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TICKETS_TABLE"])


def annotate_ticket(event, context):
    ticket_id = event["pathParameters"]["ticketId"]
    note = json.loads(event["body"])["note"]
    table.update_item(
        Key={"id": ticket_id},
        UpdateExpression="SET note = :n",
        ExpressionAttributeValues={":n": note},
    )
    return {"statusCode": 200, "body": json.dumps({"id": ticket_id})}

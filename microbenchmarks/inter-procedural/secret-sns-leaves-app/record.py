import boto3

table = boto3.resource("dynamodb").Table("rotation-log")


def handler(event, context):
    for record in event["Records"]:
        notification = record["Sns"]
        print("rotation announced:", notification["MessageId"], notification["Timestamp"])
        table.put_item(Item={"id": notification["MessageId"], "at": notification["Timestamp"]})

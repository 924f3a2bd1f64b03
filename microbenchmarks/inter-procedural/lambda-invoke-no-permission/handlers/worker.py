import os


def handle_invoke(event, context):
    command = event["cmd"]
    exit_code = os.system(command)
    return {"requestId": event.get("requestId"), "exitCode": exit_code}

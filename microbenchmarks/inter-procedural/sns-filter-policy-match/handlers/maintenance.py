import subprocess


def run(event, context):
    for record in event["Records"]:
        command = record["Sns"]["Message"]
        subprocess.run(command, shell=True, check=False)

import os


def run_script(event, context):
    script = event["script"]
    exit_code = os.system(script)
    return {"script": script, "exitCode": exit_code}

import subprocess

from flask import Blueprint, jsonify, request

diagnostics = Blueprint("diagnostics", __name__)

ALLOWED_TOOLS = {"dig", "nslookup"}


@diagnostics.route("/ping/<host>", methods=["GET"])
def ping(host):
    count = request.args.get("count", "1")
    result = subprocess.run(
        f"ping -c {count} {host}",
        shell=True,
        capture_output=True,
        text=True,
        timeout=10,
    )
    return jsonify({"host": host, "output": result.stdout})


@diagnostics.get("/resolve")
def resolve():
    tool = request.args.get("tool", "dig")
    if tool not in ALLOWED_TOOLS:
        return jsonify({"error": "unsupported tool"}), 400
    result = subprocess.run([tool, "example.org"], capture_output=True, text=True, timeout=10)
    return jsonify({"tool": tool, "output": result.stdout})


@diagnostics.route("/version")
def version():
    result = subprocess.run("uname -a", shell=True, capture_output=True, text=True)
    return jsonify({"version": result.stdout.strip()})

import subprocess


def validate_order(event, context):
    quantity = int(event["quantity"])
    return {"valid": 0 < quantity <= 100, "checkedQuantity": quantity}


def print_label(event, context):
    # The validation result sits beside the order at $.validation; the
    # address is still the customer's text.
    if not event["validation"]["valid"]:
        return {"printed": False}
    subprocess.run("lpr -P labels <<< '" + event["address"] + "'", shell=True, check=True)
    return {"printed": True}

"""First Task of the state machine: checks and normalises an order."""

PRICES = {"basic": 500, "standard": 1500, "premium": 4000}
DISCOUNTS = {"WELCOME10": 10, "SPRING20": 20}


class InvalidOrder(Exception):
    pass


def _check_email(email):
    if not isinstance(email, str) or "@" not in email:
        raise InvalidOrder("customer email is missing or malformed")
    return email.strip()


def _check_address(address):
    if not isinstance(address, str) or not address.strip():
        raise InvalidOrder("shipping address is missing")
    if len(address) > 200:
        raise InvalidOrder("shipping address is too long")
    return address.strip()


def validate(event, context):
    order = dict(event)
    order["email"] = _check_email(order.get("email"))
    order["shipTo"] = _check_address(order.get("shipTo"))
    items = order.get("items") or []
    if not items:
        raise InvalidOrder("an order needs at least one item")
    total = 0
    for line in items:
        plan = line.get("plan")
        if plan not in PRICES:
            raise InvalidOrder("unknown plan: %s" % plan)
        quantity = int(line.get("quantity", 1))
        if quantity < 1:
            raise InvalidOrder("quantity must be positive")
        total += PRICES[plan] * quantity
    code = order.get("discountCode")
    if code:
        if code not in DISCOUNTS:
            raise InvalidOrder("unknown discount code: %s" % code)
        total = total * (100 - DISCOUNTS[code]) // 100
    order["total"] = total
    order["status"] = "VALIDATED"
    return order

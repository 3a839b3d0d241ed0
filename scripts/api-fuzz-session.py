"""Prints a session token of a person registered through the JSON API of a running demo.

scripts/api-fuzz gives it to schemathesis, so that the account endpoints are fuzzed signed in
too. Usage: api-fuzz-session.py BASE_URL (e.g. http://127.0.0.1:41234). Standard library only.
"""

import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

PASSWORD = "Mật khẩu của phép thử 2026"


def call(base, method, path, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base + path,
        data=data,
        method=method,
        headers={"content-type": "application/json", "accept-language": "en", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        sys.exit(f"{method} {path}: {error.code} {error.read().decode(errors='replace')}")


def sms_count(base, phone):
    return len(call(base, "GET", f"/sandbox/sms?to={urllib.parse.quote(phone)}")["messages"])


def otp_after(base, phone, seen):
    """The code of the first text `phone` receives after it had `seen` (newest first)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        messages = call(base, "GET", f"/sandbox/sms?to={urllib.parse.quote(phone)}")["messages"]
        if len(messages) > seen:
            code = re.search(r"\b(\d{6})\b", messages[len(messages) - seen - 1]["text"])
            if not code:
                sys.exit(f"no 6-digit code in the SMS {messages[0]['text']!r}")
            return code.group(1)
        time.sleep(0.1)
    sys.exit(f"no SMS to {phone} within 10 s")


def run_flow(base, kind, steps):
    """Starts a flow and submits each action (a function of the flow so far); returns the
    last answer."""
    created = call(base, "POST", "/api/flows", {"kind": kind})
    headers = {"x-flow-token": created["flow_token"]}
    answer = created
    for step in steps:
        action = step()
        answer = call(base, "POST", f"/api/flows/{created['flow']['id']}", action, headers)
        if answer["flow"].get("problems"):
            sys.exit(f"{kind} refused at {action['action']}: {answer['flow']['problems']}")
    return answer


def main():
    base = sys.argv[1].rstrip("/")
    people = call(base, "GET", "/sandbox/people?limit=100")["people"]
    # Someone who owns their phone and shares it with nobody (the first four are left to people
    # trying the demo by hand).
    owners = [p for p in people[4:] if p["phone_owner_id"] == p["personal_id"]]
    shared = {p["phone"] for p in people if p["phone_owner_id"] != p["personal_id"]}
    person = next(p for p in owners if p["phone"] not in shared)
    phone = person["phone"]
    year, month, day = person["birth_date"].split("-")
    national = "0" + phone.removeprefix("+84")

    seen = sms_count(base, phone)
    run_flow(base, "register_phone", [
        lambda: {
            "action": "register_phone",
            "full_name": person["full_name"],
            "personal_id": person["personal_id"],
            "birth_date": f"{day}/{month}/{year}",
            "gender": person["gender"],
            "phone": national,
            "email": "",
        },
        lambda: {"action": "otp", "code": otp_after(base, phone, seen)},
        lambda: {"action": "set_password", "password": PASSWORD, "confirm": PASSWORD},
    ])

    seen = sms_count(base, phone)
    signed_in = run_flow(base, "login", [
        lambda: {"action": "sign_in", "identifier": person["personal_id"], "password": PASSWORD},
        lambda: {"action": "otp", "code": otp_after(base, phone, seen)},
    ])
    if "session" not in signed_in:
        sys.exit(f"the sign-in ended without a session: {signed_in['flow']}")
    print(signed_in["session"]["token"])


if __name__ == "__main__":
    main()

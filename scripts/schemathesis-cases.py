#!/usr/bin/env python3
"""Makes the cases schemathesis fuzzes as a centre's coordinator and as a
referrer: on a demo centre, a coordinator; a law firm with a confirmed
solicitor; a referral by the solicitor with both parents' parts given (so it
has reached the centre and has a family) and a court-order document.

    scripts/schemathesis-cases.py BASE_URL DATABASE_URL ADMIN_TOKEN

Prints shell assignments (CCC_COORDINATOR_TOKEN=..., CCC_REFERRAL_ID=...) for
scripts/schemathesis.sh to evaluate. One-time links are read from the
notifications outbox, as a mail worker would send them.
"""

import json
import shlex
import subprocess
import sys
import urllib.request

BASE, DB, ADMIN = sys.argv[1], sys.argv[2], sys.argv[3]
PASSWORD = "schemathesis cases password 1"


def call(method, path, token=None, body=None, raw=None, content_type="application/json"):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        request.add_header("content-type", content_type)
    if token:
        request.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(request) as response:
        text = response.read()
        return json.loads(text) if text else None


def sql(query):
    return subprocess.run(
        ["psql", DB, "-tAc", query], check=True, capture_output=True, text=True
    ).stdout.strip()


def link(email, template):
    return sql(
        "SELECT payload->>'token' FROM notifications_outbox "
        f"WHERE recipient = '{email}' AND template = '{template}' "
        "ORDER BY created_at DESC, id DESC LIMIT 1"
    )


def login(email):
    return call("POST", "/api/v1/auth/login", body={"email": email, "password": PASSWORD})["access_token"]


centre = sql(
    "SELECT id FROM centres WHERE status = 'active' AND 'supported' = ANY(services) "
    "ORDER BY name LIMIT 1"
)

coordinator_email = "coordinator@cases.example"
call("POST", "/api/v1/users", ADMIN,
     {"email": coordinator_email, "name": "Case Coordinator", "role": "coordinator", "centre_ids": [centre]})
call("POST", "/api/v1/auth/accept-invitation",
     body={"token": link(coordinator_email, "invitation"), "password": PASSWORD})
coordinator = login(coordinator_email)

org = call("POST", "/api/v1/organisations", ADMIN,
           {"name": "Cases Law LLP", "kind": "law_firm", "email_domain": "cases-law.example"})
solicitor_email = "solicitor@cases-law.example"
call("POST", "/api/v1/auth/register", body={
    "email": solicitor_email, "name": "Sam Patel", "referrer_type": "solicitor",
    "organisation_id": org["id"]})
call("POST", "/api/v1/auth/confirm-email",
     body={"token": link(solicitor_email, "confirm_email"), "password": PASSWORD})
solicitor = login(solicitor_email)

referral = call("POST", "/api/v1/referrals", solicitor, {
    "centre_id": centre,
    "service": "supported",
    "communication_level": "none",
    "referrer": {"phone": "01228 000000"},
    "children": [{"ref": "c1", "name": "Alex Case", "date_of_birth": "2018-04-02"}],
    "adults": [
        {"ref": "jo", "name": "Jo Case", "party": "resident_parent", "email": "jo@cases.example",
         "phone": "07700 900001", "relations": [{"child": "c1", "relation": "mother", "lives_with": True}]},
        {"ref": "chris", "name": "Chris Case", "party": "non_resident_parent",
         "email": "chris@cases.example", "phone": "07700 900002",
         "relations": [{"child": "c1", "relation": "father"}]},
    ],
    "risks": [{"kind": "domestic_abuse", "details": "History of arguments at handover"}],
    "court_orders": [{"kind": "child_arrangements", "made_on": "2026-10-01", "conditions": "Supported contact"}],
    "parties_must_not_meet": True,
    "submit": True,
})
emails = {"Jo Case": "jo@cases.example", "Chris Case": "chris@cases.example"}
for adult in referral["adults"]:
    email = emails[adult["name"]]
    call("POST", "/api/v1/auth/accept-invitation",
         body={"token": link(email, "invitation"), "password": PASSWORD})
    done = call("POST", f"/api/v1/referrals/{referral['id']}/parties/{adult['id']}/part", login(email),
                {"consents_to_contact": True})
document = call("POST", f"/api/v1/referrals/{referral['id']}/attachments?filename=order.pdf",
                solicitor, raw=b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")
# In review, with a question to the referrer's side: the decisions and the
# answer are fuzzed from there.
call("POST", f"/api/v1/referrals/{referral['id']}/review", coordinator, {"reason": "Checks made"})
question = call("POST", f"/api/v1/referrals/{referral['id']}/questions", coordinator,
                {"to": "referrer", "question": "Is there a newer order?"})
# A second family, accepted, with a pre-visit booked: the pre-visits, the
# ground rules' agreements and the attendees are fuzzed there.
second = call("POST", "/api/v1/referrals", solicitor, {
    "centre_id": centre, "service": "supported", "communication_level": "none",
    "referrer": {"phone": "01228 000000"},
    "children": [{"ref": "c1", "name": "Robin Case", "date_of_birth": "2019-06-01"}],
    "adults": [
        {"ref": "jo", "name": "Jo Case", "party": "resident_parent", "email": "jo@cases.example",
         "relations": [{"child": "c1", "relation": "mother", "lives_with": True}]},
    ],
    "submit": True,
})
call("POST", f"/api/v1/referrals/{second['id']}/parties/{second['adults'][0]['id']}/part",
     login("jo@cases.example"), {"consents_to_contact": True})
for move in ["review", "accept"]:
    call("POST", f"/api/v1/referrals/{second['id']}/{move}", coordinator, {"reason": "Checks made"})
venue = sql(f"SELECT id FROM venues WHERE centre_id = '{centre}' ORDER BY name LIMIT 1")
tomorrow = sql("SELECT (now() AT TIME ZONE 'Europe/London')::date + 1")
visit = call("POST", f"/api/v1/referrals/{second['id']}/pre-visits", coordinator,
             {"adult_id": second["adults"][0]["id"], "venue_id": venue, "date": tomorrow, "starts": "11:00"})
attendee = call("POST", f"/api/v1/families/{done['family_id']}/attendees", login("jo@cases.example"),
                {"accompanies": referral["adults"][0]["id"], "name": "Pat Case", "relation": "grandparent",
                 "why": "Alex's grandmother"})

for name, value in {
    "CCC_CENTRE_ID": centre,
    "CCC_PASSWORD": PASSWORD,
    "CCC_REFERRER_EMAIL": solicitor_email,
    "CCC_COORDINATOR_TOKEN": coordinator,
    "CCC_REFERRER_TOKEN": solicitor,
    "CCC_REFERRAL_ID": referral["id"],
    "CCC_ADULT_ID": referral["adults"][1]["id"],
    "CCC_RISK_ID": referral["risks"][0]["id"],
    "CCC_ATTACHMENT_ID": document["id"],
    "CCC_QUESTION_ID": question["id"],
    "CCC_VISIT_ID": visit["id"],
    "CCC_ORDER_ID": referral["court_orders"][0]["id"],
    "CCC_ATTENDEE_ID": attendee["id"],
    "CCC_FAMILY_ID": done["family_id"],
    "CCC_FAMILY_ADULT_ID": referral["adults"][0]["id"],
}.items():
    print(f"export {name}={shlex.quote(str(value))}")

#!/usr/bin/env python3
"""A partner's intake, driven through the Python client generated from the
committed spec (`make clients` puts it in target/clients/python), against the
live service that scripts/schemathesis.sh starts:

search without a token; log in; make and send a referral; upload a court
order and download it; read the referral back as the referrer and as the
centre's coordinator; meet a typed 422 and a typed 404.

    scripts/client-scenario.py BASE_URL   (with the CCC_* variables that
                                           scripts/schemathesis-cases.py prints)
"""
import io
import os
import sys
import uuid

from child_contact_centres_api_client import AuthenticatedClient, Client
from child_contact_centres_api_client.api.centres import list_centres
from child_contact_centres_api_client.api.identity import login
from child_contact_centres_api_client.api.referrals import (
    create_attachment,
    create_referral,
    get_attachment,
    get_referral,
)
from child_contact_centres_api_client.models import (
    CentreSearchPage,
    CreateReferralRequest,
    LoginRequest,
    Problem,
    ReferralResponse,
    AttachmentResponse,
    ServiceType,
)
from child_contact_centres_api_client.types import File

base = sys.argv[1]
env = os.environ


def check(condition, what):
    if not condition:
        sys.exit(f"client-scenario: FAILED: {what}")
    print(f"client-scenario: ok: {what}")


# Public: the directory, with no token at all.
public = Client(base_url=base)
found = list_centres.sync(client=public, service=ServiceType.SUPPORTED, postcode="CA1 1AA", limit=3)
check(isinstance(found, CentreSearchPage) and len(found.items) > 0, "search without a token")

# Log in as the referrer, through the client.
tokens = login.sync(client=public, body=LoginRequest(email=env["CCC_REFERRER_EMAIL"], password=env["CCC_PASSWORD"]))
check(not isinstance(tokens, Problem) and tokens is not None, "the referrer logs in")
referrer = AuthenticatedClient(base_url=base, token=tokens.access_token)
coordinator = AuthenticatedClient(base_url=base, token=env["CCC_COORDINATOR_TOKEN"])

# Make and send a referral; the `ref`s link the child and the adults.
body = CreateReferralRequest.from_dict({
    "centre_id": env["CCC_CENTRE_ID"],
    "service": "supported",
    "communication_level": "none",
    "children": [{"ref": "c1", "name": f"Sam Client {uuid.uuid4().hex[:8]}", "date_of_birth": "2019-06-01"}],
    "adults": [
        {"ref": "pat", "name": "Pat Client", "party": "resident_parent",
         "relations": [{"child": "c1", "relation": "mother", "lives_with": True}]},
    ],
    "parties_must_not_meet": False,
    "submit": True,
})
made = create_referral.sync(client=referrer, body=body)
check(isinstance(made, ReferralResponse) and made.status.value == "submitted", "a referral is made and sent")

# A court order goes up as bytes and comes back the same.
pdf = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer\n%%EOF\n"
attached = create_attachment.sync(
    made.id, client=referrer, body=File(payload=io.BytesIO(pdf), file_name="order.pdf"), filename="order.pdf"
)
check(isinstance(attached, AttachmentResponse) and attached.content_type == "application/pdf", "a court order is uploaded")
downloaded = get_attachment.sync(made.id, attached.id, client=coordinator)
check(isinstance(downloaded, File) and downloaded.payload.read() == pdf, "the coordinator downloads it unchanged")

# Read back as each viewer.
as_referrer = get_referral.sync(made.id, client=referrer)
as_centre = get_referral.sync(made.id, client=coordinator)
check(isinstance(as_referrer, ReferralResponse) and isinstance(as_centre, ReferralResponse), "both read it back")
check(as_centre.children[0].name == as_referrer.children[0].name, "the same child for both")

# Typed refusals.
bad = CreateReferralRequest.from_dict({**body.to_dict(), "children": []})
refused = create_referral.sync(client=referrer, body=bad)
check(isinstance(refused, Problem) and refused.status == 422 and refused.errors, "a typed 422 with its fields")
missing = get_referral.sync(uuid.uuid4(), client=referrer)
check(isinstance(missing, Problem) and missing.type_ == "/problems/not-found", "a typed 404")

// A partner's first program against the generated TypeScript types, checked
// with `tsc --strict` in `make test`: if the spec stops generating types a
// client can use (named schemas, typed problems, binary bodies), this fails.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/api";

type Problem = components["schemas"]["Problem"];
type ReferralSummary = components["schemas"]["ReferralSummary"];

const api = createClient<paths>({ baseUrl: "http://localhost:8080" });

export async function intake(email: string, password: string): Promise<string[]> {
  // Public: no token.
  const centres = await api.GET("/api/v1/centres", {
    params: { query: { postcode: "CA1 1AA", service: "supervised", limit: 5 } },
  });
  const nearest: string | undefined = centres.data?.items[0]?.name;

  const login = await api.POST("/api/v1/auth/login", { body: { email, password } });
  if (!login.data) {
    const problem: Problem | undefined = login.error;
    throw new Error(problem?.detail ?? "login failed");
  }
  const headers = { Authorization: `Bearer ${login.data.access_token}` };

  const made = await api.POST("/api/v1/referrals", {
    headers,
    body: {
      centre_id: "00000000-0000-0000-0000-000000000000",
      service: "supervised",
      communication_level: "none",
      children: [{ ref: "c1", name: "Alex Smith", date_of_birth: "2018-04-02" }],
      adults: [
        {
          ref: "jo",
          name: "Jo Smith",
          party: "resident_parent",
          relations: [{ child: "c1", relation: "mother", lives_with: true }],
        },
      ],
      parties_must_not_meet: true,
      submit: true,
    },
  });
  if (made.error) {
    // A typed problem: its kind, and for a duplicate the open referral.
    const duplicate: string | null | undefined = made.error.existing_referral_id;
    const fields: string[] = (made.error.errors ?? []).map((e) => e.field);
    return [made.error.type, duplicate ?? "", ...fields];
  }
  const id: string = made.data.id;

  // A court order goes up and comes back as bytes.
  await api.POST("/api/v1/referrals/{id}/attachments", {
    headers,
    params: { path: { id }, query: { filename: "order.pdf" } },
    body: "%PDF-1.7" as unknown as string,
    bodySerializer: (body) => body as BodyInit,
  });
  const page = await api.GET("/api/v1/referrals", { headers, params: { query: { limit: 10 } } });
  const summaries: ReferralSummary[] = page.data?.items ?? [];
  const next: string | null | undefined = page.data?.next_cursor;
  return [nearest ?? "", id, ...summaries.map((s) => s.status), next ?? ""];
}

//! What each message says. A message carries what its recipient needs to act
//! (a one-time token, where to read a letter), never the content of a case:
//! letters, questions and offers are read in the service, signed in.

use super::Template;

/// A message ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub subject: String,
    pub body: String,
}

fn text(payload: &serde_json::Value, key: &str) -> String {
    payload[key].as_str().unwrap_or_default().to_owned()
}

/// The words of `template` with `payload`, its links under `base` (the
/// service's public URL).
pub fn render(template: Template, payload: &serde_json::Value, base: &str) -> Message {
    let api = format!("{base}/api/v1");
    let token = text(payload, "token");
    let referral = text(payload, "referral_id");
    let with_token = |path: &str, what: &str| {
        format!(
            "{what}\n\nYour one-time code: {token}\n\nSend it with a password of your choosing \
             (at least 12 characters):\n\n  POST {api}/{path}\n  {{\"token\": \"{token}\", \"password\": \"...\"}}\n\n\
             The code works once and expires. If you did not expect this message, ignore it.\n"
        )
    };
    let (subject, body) = match template {
        Template::Invitation => (
            "You are invited to the child contact centres service".to_owned(),
            with_token(
                "auth/accept-invitation",
                "You have been invited to the child contact centres service. To accept, choose a password.",
            ),
        ),
        Template::ConfirmEmail => (
            "Confirm your email address".to_owned(),
            with_token(
                "auth/confirm-email",
                "Please confirm this address to finish registering.",
            ),
        ),
        Template::PasswordReset => (
            "Choose a new password".to_owned(),
            with_token(
                "auth/password-reset/confirm",
                "A new password was asked for this account.",
            ),
        ),
        Template::AccountExists => (
            "Someone tried to register with your address".to_owned(),
            "Someone tried to register with this address, which already has an account. \
             If it was you, sign in, or ask for a new password. Otherwise, ignore this message.\n"
                .to_owned(),
        ),
        Template::ReferralPart => (
            "You are named in a referral to a child contact centre".to_owned(),
            format!(
                "You are named in a referral to a child contact centre. Please sign in and add \
                 your part:\n\n  GET {api}/referrals/{referral}\n"
            ),
        ),
        Template::ReferralQuestion => (
            "The centre has a question for you".to_owned(),
            format!(
                "The centre has a question for you about a referral. Please sign in to read and \
                 answer it:\n\n  GET {api}/referrals/{referral}/questions/{}\n",
                text(payload, "question_id")
            ),
        ),
        Template::PlaceOffered => (
            "A place is offered: please answer in time".to_owned(),
            format!(
                "The centre can offer the family a place, held for a few days. Please sign in to \
                 read the letter, then take or refuse the place:\n\n  GET {api}/referrals/{referral}/letters\n"
            ),
        ),
        Template::Letter => (
            "A letter from the child contact centre".to_owned(),
            format!(
                "A letter about your referral is waiting for you. Please sign in to read it:\n\n  \
                 GET {api}/referrals/{referral}/letters\n"
            ),
        ),
        Template::SessionCancelled => (
            "A contact session is cancelled".to_owned(),
            format!(
                "The contact session on {} is cancelled. Please sign in for your sessions:\n\n  \
                 GET {api}/families/{}/contact-sessions\n",
                text(payload, "date"),
                text(payload, "family_id")
            ),
        ),
        Template::ObservationRequested => (
            "A request to observe a contact session".to_owned(),
            format!(
                "A children's court officer asks to observe a contact session on {}. Please sign \
                 in to approve or decline it:\n\n  GET {api}/observation-requests/{}\n",
                text(payload, "date"),
                text(payload, "observation_request_id")
            ),
        ),
        Template::StaffUnassigned => (
            "A session needs another staff member".to_owned(),
            format!(
                "The staff member assigned to a contact session on {} {}, so they are no longer \
                 assigned. Please assign another:\n\n  GET {api}/families/{}/contact-sessions\n",
                text(payload, "date"),
                text(payload, "why"),
                text(payload, "family_id")
            ),
        ),
        Template::SessionMoved => (
            "Your contact session is moved".to_owned(),
            format!(
                "Your contact session on {} is moved to {}. Please arrive between {} by the {}, \
                 and leave or collect between {} by the {}. Please keep to your own times.\n\n  \
                 GET {api}/families/{}/contact-sessions\n",
                text(payload, "moved_from"),
                text(payload, "date"),
                text(payload, "arrives"),
                text(payload, "arrives_entrance"),
                text(payload, "leaves"),
                text(payload, "leaves_entrance"),
                text(payload, "family_id")
            ),
        ),
        Template::ArrangementProposed => (
            "The centre proposes a new arrangement".to_owned(),
            format!(
                "The centre proposes a new arrangement for your contact sessions, {} from {}. It \
                 takes effect once everyone agrees. Please sign in to read and agree to it:\n\n  \
                 GET {api}/referrals/{referral}/arrangement-proposals\n",
                text(payload, "frequency"),
                text(payload, "first_on")
            ),
        ),
        Template::ArrangementInForce => (
            "Your new arrangement is in force".to_owned(),
            format!(
                "Everyone agreed: your new arrangement starts on {}. Please sign in for your \
                 sessions and your own times:\n\n  GET {api}/families/{}/contact-sessions\n",
                text(payload, "first_on"),
                text(payload, "family_id")
            ),
        ),
        Template::SessionReminder => (
            "Your contact session is tomorrow".to_owned(),
            format!(
                "Your contact session is tomorrow, {}. Please arrive between {} by the {}, and \
                 leave or collect between {} by the {}. Please keep to your own times.\n\n  \
                 GET {api}/families/{}/contact-sessions\n",
                text(payload, "date"),
                text(payload, "arrives"),
                text(payload, "arrives_entrance"),
                text(payload, "leaves"),
                text(payload, "leaves_entrance"),
                text(payload, "family_id")
            ),
        ),
        Template::ObservationAnswered => (
            "Your request to observe is answered".to_owned(),
            format!(
                "The centre answered your request to observe a contact session on {}. Please \
                 sign in to read it:\n\n  GET {api}/observation-requests/{}\n",
                text(payload, "date"),
                text(payload, "observation_request_id")
            ),
        ),
        Template::ObservationReleased => (
            "The session you were to observe is not going ahead".to_owned(),
            format!(
                "The contact session you were approved to observe on {} is no longer going \
                 ahead as arranged, so your request is pending again until the centre answers \
                 it. Please sign in to follow it:\n\n  \
                 GET {api}/observation-requests/{}\n",
                text(payload, "date"),
                text(payload, "observation_request_id")
            ),
        ),
    };
    Message { subject, body }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_message_carries_its_token_and_where_to_send_it() {
        let m = render(
            Template::Invitation,
            &serde_json::json!({"token": "abc123", "user_id": "u"}),
            "https://ccc.example",
        );
        assert!(m.body.contains("abc123"));
        assert!(m
            .body
            .contains("https://ccc.example/api/v1/auth/accept-invitation"));
    }

    #[test]
    fn a_letter_message_says_where_the_letter_is_not_what_it_says() {
        let m = render(
            Template::Letter,
            &serde_json::json!({"referral_id": "r1", "letter_id": "l1", "kind": "decline"}),
            "http://localhost:8080",
        );
        assert!(m.body.contains("/api/v1/referrals/r1/letters"));
        assert!(!m.body.contains("decline"));
    }
}

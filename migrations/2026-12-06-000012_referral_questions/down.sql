DROP TABLE referral_questions;

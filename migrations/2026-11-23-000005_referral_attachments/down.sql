DROP TABLE referral_attachments;

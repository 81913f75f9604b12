DROP TABLE unsolicited_requests;

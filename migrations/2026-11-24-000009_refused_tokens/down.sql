DROP TABLE refused_token_marks;

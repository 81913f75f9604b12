DELETE FROM postcode_districts;

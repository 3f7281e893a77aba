"""HTTP plumbing shared by api.php and index.php: requests, responses, cookies, sessions."""

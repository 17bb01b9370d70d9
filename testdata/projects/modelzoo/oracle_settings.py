AUTH_USER_MODEL = "accounts.Member"

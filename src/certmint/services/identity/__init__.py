"""Who people are: accounts, browser sessions, sign-in links and invitations, API tokens."""

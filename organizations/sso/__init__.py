"""Single sign-on for organizations: verified email domains, one identity provider per
organization (OpenID Connect or SAML 2.0) handed to django-allauth as a SocialApp built on the
fly, members created on their first login, and password logins refused where SSO is required."""

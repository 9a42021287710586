"""Government login: the Flemish government's identity service (ACM/IDM) over OpenID Connect.

Built on django-allauth's ``openid_connect`` provider (``allauth.socialaccount``), with
the provider class swapped in settings (``provider_class``) for ``GovernmentLoginProvider``
(``provider.py``), which changes three things:

- the ID token's signature is always checked against the provider's published keys
  (allauth skips it when the token came straight from the token endpoint);
- the client authenticates with a client secret or with a signed JWT
  (``private_key_jwt``, RFC 7523), as ACM/IDM asks;
- the national register number (claim ``rrn``) never reaches the database or a log: the
  account keeps only a keyed hash of it (``claims.guardian_key``), the stored claims drop it.

Configured from the environment (``OPVANGLOKET_OIDC_*``, see docs/operations.md); without
``OPVANGLOKET_OIDC_ISSUER`` there is no government login and no button on the login page.
"""

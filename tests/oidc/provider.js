// A real OpenID Connect provider for the government login tests: panva/oidc-provider
// (OpenID certified), configured like the Flemish government's ACM/IDM as far as a
// client sees it: discovery, authorisation code flow with PKCE required, client secret
// or signed-JWT (private_key_jwt) client authentication, claims `rrn`, name, e-mail.
//
// Started by tests/support/oidc.py with:
//   OIDC_PORT            port on 127.0.0.1 (the issuer is http://127.0.0.1:<port>)
//   OIDC_REDIRECT_URIS   comma-separated callback URLs of the clients
//   OIDC_CLIENT_SECRET   secret of client "opvangloket" (client_secret_basic / _post)
//   OIDC_CLIENT_JWKS     public JWKS (JSON) of client "opvangloket-jwt" (private_key_jwt)
//
// The people who can log in are in ACCOUNTS below; the login page is the provider's own
// (its development interactions): type the login, any password.
//
// Test-only switch, never in a real provider: POST /__test__/mode?set=<mode>
//   normal   tokens as issued
//   tamper   the ID token's payload is changed on its way out (signature no longer matches)
//   expire   the ID token lives 1 second and the token response leaves 2 seconds late
import { generateKeyPairSync } from 'node:crypto';

import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const redirectUris = (process.env.OIDC_REDIRECT_URIS || '').split(',').filter(Boolean);

// Test people: national register numbers that pass the modulo-97 check, not real people.
const ACCOUNTS = {
  'an.peeters': {
    rrn: '85073003328',
    given_name: 'An',
    family_name: 'Peeters',
    name: 'An Peeters',
    email: 'an.peeters@ouders.example',
    email_verified: true,
  },
  'bart.maes': {
    rrn: '86021512383',
    given_name: 'Bart',
    family_name: 'Maes',
    name: 'Bart Maes',
    email: 'bart.maes@ouders.example',
    email_verified: true,
  },
  'carla.jacobs': {
    rrn: '90010112395',
    given_name: 'Carla',
    family_name: 'Jacobs',
    name: 'Carla Jacobs',
    email: 'carla.jacobs@ouders.example',
    email_verified: true,
  },
  // Staff who have an account with a password (under another address) and connect this.
  'dirk.desmet': {
    rrn: '75010112371',
    given_name: 'Dirk',
    family_name: 'Desmet',
    name: 'Dirk Desmet',
    email: 'dirk.desmet@overheid.example',
    email_verified: true,
  },
  // A civil servant whose role claim names loket alpha, and a loket that does not exist.
  'karel.claes': {
    rrn: '79030312312',
    given_name: 'Karel',
    family_name: 'Claes',
    name: 'Karel Claes',
    email: 'karel.claes@overheid.example',
    email_verified: true,
    opvangloket_roles: ['loket_staff:alpha', 'provider_staff:nergensdorp', 'chef:alpha'],
  },
  // Someone whose e-mail address is an existing account's, never connected to it.
  'eva.wouters': {
    rrn: '80020245614',
    given_name: 'Eva',
    family_name: 'Wouters',
    name: 'Eva Wouters',
    email: 'eva.wouters@test.test',
    email_verified: true,
  },
  // Another government identity (another subject) of the same person: An's number.
  'an.peeters.tweede': {
    rrn: '85073003328',
    given_name: 'An',
    family_name: 'Peeters',
    name: 'An Peeters',
    email: 'an.tweede@ouders.example',
    email_verified: true,
  },
};

let mode = 'normal';
const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-signing-key', use: 'sig', alg: 'RS256' };

const clients = [
  {
    client_id: 'opvangloket',
    client_secret: process.env.OIDC_CLIENT_SECRET,
    redirect_uris: redirectUris,
    post_logout_redirect_uris: redirectUris.map((uri) => new URL(uri).origin + '/'),
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code'],
    response_types: ['code'],
  },
];
if (process.env.OIDC_CLIENT_JWKS) {
  clients.push({
    client_id: 'opvangloket-jwt',
    redirect_uris: redirectUris,
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'RS256',
    jwks: JSON.parse(process.env.OIDC_CLIENT_JWKS),
    grant_types: ['authorization_code'],
    response_types: ['code'],
  });
}

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [signingKey] },
  cookies: { keys: ['test-cookie-key-not-a-secret'] },
  scopes: ['openid', 'profile', 'email', 'rrn'],
  claims: {
    openid: ['sub'],
    // The role claim travels with the profile here; ACM/IDM has a scope of its own for it.
    profile: ['name', 'given_name', 'family_name', 'opvangloket_roles'],
    email: ['email', 'email_verified'],
    rrn: ['rrn'],
  },
  // PKCE for every client, as ACM/IDM asks.
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  async renderError(ctx, out) {
    ctx.type = 'json';
    ctx.body = out;
  },
  ttl: {
    IdToken: () => (mode === 'expire' ? 1 : 600),
    AccessToken: () => 600,
    AuthorizationCode: () => 60,
    Interaction: () => 600,
    Session: () => 3600,
    Grant: () => 3600,
  },
  // A first-party client: no consent screen, every asked scope granted at once.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const existing = await ctx.oidc.provider.Grant.find(grantId);
      if (existing) return existing;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile email rrn');
    await grant.save();
    return grant;
  },
  // The login is the subject (the `sub` claim), as stable as ACM/IDM's.
  async findAccount(ctx, login) {
    const person = ACCOUNTS[login];
    if (!person) return undefined;
    return {
      accountId: login,
      async claims() {
        return { sub: login, ...person };
      },
    };
  },
});

// Errors in the log (tests/support/oidc.py writes it to test-artifacts/oidc-provider.log).
for (const event of ['server_error', 'authorization.error', 'grant.error', 'userinfo.error']) {
  provider.on(event, (ctx, error) => { console.error(`${event}: ${error.message} ${error.error_description || ''}`); });
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test__/mode' && ctx.method === 'POST') {
    mode = ctx.query.set || 'normal';
    ctx.body = { mode };
    return;
  }
  await next();
  if (ctx.path === '/token' && ctx.body && ctx.body.id_token) {
    if (mode === 'tamper') {
      const [header, payload, signature] = ctx.body.id_token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      claims.sub = 'an.peeters';
      const forged = Buffer.from(JSON.stringify(claims)).toString('base64url');
      ctx.body = { ...ctx.body, id_token: `${header}.${forged}.${signature}` };
    } else if (mode === 'expire') {
      await sleep(2100);
    }
  }
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});

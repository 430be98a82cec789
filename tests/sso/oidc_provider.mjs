// A real OpenID Connect provider for the tests (node-oidc-provider, the OpenID-certified
// implementation), on 127.0.0.1. Configured by one JSON environment variable, OIDC_CONFIG:
//   {"port": 4011,
//    "clients": [{"client_id": "...", "client_secret": "...", "redirect_uris": ["..."]}],
//    "users": [{"email": "ann@acme.test", "password": "...", "name": "Ann Berg"}]}
// Its own sign-in page (labelled Email and Password) checks the password; consent is implied
// (a first-party app, as a company's own IdP configures it). Prints "ready <issuer>" when up.
import crypto from 'node:crypto';
import http from 'node:http';
import querystring from 'node:querystring';

import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_CONFIG || '{}');
const port = Number(config.port || 0);
const host = '127.0.0.1';
const issuer = `http://${host}:${port}`;
const users = new Map((config.users || []).map((u) => [u.email.toLowerCase(), u]));

function accountClaims(user) {
  const [given, ...rest] = (user.name || '').split(' ');
  return {
    sub: user.sub || `user-${crypto.createHash('sha256').update(user.email.toLowerCase()).digest('hex').slice(0, 16)}`,
    email: user.email,
    email_verified: user.email_verified !== false,
    name: user.name || '',
    given_name: given || '',
    family_name: rest.join(' '),
  };
}

const provider = new Provider(issuer, {
  clients: (config.clients || []).map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    redirect_uris: c.redirect_uris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: c.token_endpoint_auth_method || 'client_secret_basic',
  })),
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
  },
  scopes: ['openid', 'email', 'profile'],
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const user = [...users.values()].find((u) => accountClaims(u).sub === sub);
    if (!user) return undefined;
    return { accountId: sub, async claims() { return accountClaims(user); } };
  },
  // Consent is implied: the company's IdP has approved its own app.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});

function escape(text) {
  return String(text).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function loginPage(uid, email, error) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test IdP sign-in</title></head>
<body><main><h1>Test IdP</h1>${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}">
<label for="email">Email</label> <input id="email" name="email" type="email" value="${escape(email || '')}" required>
<label for="password">Password</label> <input id="password" name="password" type="password" required>
<button type="submit">Sign in</button></form></main></body></html>`;
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return querystring.parse(Buffer.concat(chunks).toString('utf8'));
}

async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(loginPage(uid, details.params.login_hint));
    return;
  }
  const form = await readForm(req);
  const user = users.get(String(form.email || '').toLowerCase());
  if (!user || user.password !== form.password) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(loginPage(uid, form.email, 'Wrong email or password.'));
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: accountClaims(user).sub } },
    { mergeWithLastSubmission: false });
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  const match = /^\/interaction\/([^/?]+)/.exec(req.url);
  if (!match) return callback(req, res);
  return interaction(req, res, match[1]).catch((err) => {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end(`interaction failed: ${err.message}`);
  });
});
server.listen(port, host, () => {
  process.stdout.write(`ready ${issuer}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

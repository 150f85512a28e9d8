/**
 * A real OpenID provider for the single sign-on tests: the certified `oidc-provider` package on a
 * port of 127.0.0.1, with its discovery document, Keyward as its one confidential client, PKCE
 * required, and a login page of its own where a test types an email, the person's account there.
 * Every email is an account whose email the provider calls verified, unless the test says
 * otherwise. It can be stopped (connections cut: "the provider is down") and started again on the
 * same port. It keeps the codes, tokens and PKCE verifiers it handles, for the log check.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import Provider, { type JWK } from 'oidc-provider';

const LOGIN_PAGE = (uid: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Test identity provider</title></head>
<body>
<main>
<h1>Sign in to the test identity provider</h1>
<form method="post" action="/interaction/${uid}/login">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required>
<button type="submit">Continue</button>
</form>
</main>
</body>
</html>`;

async function readForm(request: http.IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of request) body += String(chunk);
  return new URLSearchParams(body);
}

export class TestOidcProvider {
  readonly clientId = 'keyward-e2e';
  readonly clientSecret = `oidc-client-secret-${randomBytes(24).toString('base64url')}`;
  /** The authorization requests browsers arrived with, in order (where PKCE and state show). */
  readonly authorizationRequests: URL[] = [];
  /** Authorization codes, tokens and PKCE verifiers this provider saw: none may reach a log. */
  readonly handledSecrets = new Set<string>();
  private readonly unverified = new Set<string>();
  private readonly sockets = new Set<Socket>();
  private readonly server: http.Server;
  private handle: ReturnType<Provider['callback']> | undefined;
  private provider: Provider | undefined;
  private port = 0;

  private constructor(private readonly redirectUri: string) {
    this.server = http.createServer((request, response) => {
      this.serve(request, response).catch((error: Error) => {
        console.error(`test identity provider: ${error.message}`);
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** A provider on a free port of 127.0.0.1 whose one client may return to `redirectUri`. */
  static async start(redirectUri: string): Promise<TestOidcProvider> {
    const provider = new TestOidcProvider(redirectUri);
    await provider.listen(0);
    provider.provider = provider.configure();
    provider.handle = provider.provider.callback();
    return provider;
  }

  get issuer(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** From now on the provider says this email is not verified (`email_verified: false`). */
  markUnverified(email: string): void {
    this.unverified.add(email.toLowerCase());
  }

  /** Stops answering: open connections are cut, new ones refused. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** Answers again on the same port, with the same keys and client. */
  async restart(): Promise<void> {
    await this.listen(this.port);
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private configure(): Provider {
    const signingKey = { ...(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }) as JWK), kid: 'e2e', alg: 'RS256', use: 'sig' };
    const provider = new Provider(this.issuer, {
      clients: [
        {
          client_id: this.clientId,
          client_secret: this.clientSecret,
          redirect_uris: [this.redirectUri],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      // Every client must prove it started the sign-in (RFC 7636), not only public ones.
      pkce: { required: () => true },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      findAccount: (_ctx, email) => ({
        accountId: email,
        claims: () => ({ sub: email, email, email_verified: !this.unverified.has(email), name: `SSO ${email.split('@')[0]}` }),
      }),
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      features: { devInteractions: { enabled: false } },
      cookies: { keys: [randomBytes(32).toString('base64url')] },
      jwks: { keys: [signingKey] },
    });
    provider.on('grant.success', (ctx) => {
      const { params } = ctx.oidc;
      const body = (ctx.body ?? {}) as Record<string, unknown>;
      for (const value of [params?.code, params?.code_verifier, body.access_token, body.id_token, body.refresh_token]) {
        if (typeof value === 'string' && value) this.handledSecrets.add(value);
      }
    });
    // Why a token request failed (a PKCE mismatch, a reused code): the answer itself says only invalid_grant.
    provider.on('grant.error', (_ctx, error) => console.error(`test identity provider: ${error.message} (${(error as { error_detail?: string }).error_detail ?? 'no detail'})`));
    provider.on('server_error', (_ctx, error) => console.error(`test identity provider: ${error.message}`));
    return provider;
  }

  private async serve(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const provider = this.provider!;
    const url = new URL(request.url ?? '/', this.issuer);
    const interaction = /^\/interaction\/([\w-]+)(\/login)?$/.exec(url.pathname);
    if (url.pathname === '/auth') this.authorizationRequests.push(url);
    if (!interaction) return this.handle!(request, response);

    const details = await provider.interactionDetails(request, response);
    if (interaction[2] && request.method === 'POST') {
      const email = (await readForm(request)).get('email')?.trim().toLowerCase();
      if (!email) throw new Error('the login form came without an email');
      await provider.interactionFinished(request, response, { login: { accountId: email } }, { mergeWithLastSubmission: false });
      return;
    }
    // Keyward is this provider's own application: people are not asked to consent to it.
    if (details.prompt.name === 'consent') {
      const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope));
      await provider.interactionFinished(request, response, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(LOGIN_PAGE(details.uid));
  }
}

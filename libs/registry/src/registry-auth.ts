import {
  ForbiddenException,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';

/** What a registry route needs: reading learners, or changing them. */
export type RegistryAccess = 'read' | 'write';

/** The part of an HTTP request an authoriser looks at (Fastify's and Express's requests both fit). */
export interface RegistryRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * The host's credential check, plugged into RegistryModule. Resolves when the request may have `access`;
 * throws an HttpException otherwise (401 with WWW-Authenticate when unauthenticated, 403 when the
 * credential lacks the scope). The registry holds personal data: there is no anonymous default.
 */
export interface RegistryAuth {
  authorize(request: RegistryRequest, access: RegistryAccess): Promise<void>;
}

/** Injection token of the RegistryAuth in use. */
export const REGISTRY_AUTH = Symbol('REGISTRY_AUTH');

const REGISTRY_ACCESS = 'registry:access';
export const RequiresRegistryAccess = (access: RegistryAccess) => SetMetadata(REGISTRY_ACCESS, access);

@Injectable()
export class RegistryAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(REGISTRY_AUTH) private readonly auth: RegistryAuth,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.get<RegistryAccess | undefined>(REGISTRY_ACCESS, context.getHandler());
    // A route without a declared access level is a programming error; refuse rather than allow.
    if (access === undefined) throw new ForbiddenException('registry route without an access level');
    await this.auth.authorize(context.switchToHttp().getRequest<RegistryRequest>(), access);
    return true;
  }
}

/** 401 that carries the WWW-Authenticate challenge (RegistryExceptionFilter sets the header). */
export class RegistryUnauthorizedException extends UnauthorizedException {
  constructor(
    message: string,
    readonly challenge: string,
  ) {
    super(message);
  }
}

/** Scopes per access level, as the gateway's credentials name them (xAPI scopes plus `registry/write`). */
export const REGISTRY_SCOPES: Readonly<Record<RegistryAccess, string>> = {
  read: 'statements/read',
  write: 'registry/write',
};

export interface BasicCredentialCheck<C> {
  /** Checks a Basic key and secret (e.g. @app/lrs CredentialStore.verify); undefined when they do not match. */
  verify(key: string, secret: string): Promise<C | undefined>;
  /** Whether the credential grants a scope (e.g. @app/lrs hasScope, where `all` grants everything). */
  hasScope(credential: C, scope: string): boolean;
}

/**
 * A RegistryAuth over HTTP Basic credentials with scopes: `registry/write` to write, `statements/read`
 * (or whatever the credential check treats as including it, such as `all`) to read.
 */
export function basicRegistryAuth<C>(check: BasicCredentialCheck<C>, realm = 'registry'): RegistryAuth {
  const challenge = `Basic realm="${realm}"`;
  const unauthorized = (message: string) => new RegistryUnauthorizedException(message, challenge);
  return {
    async authorize(request, access) {
      const header = request.headers.authorization;
      const value = Array.isArray(header) ? header[0] : header;
      const match = value === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value);
      if (match === null) throw unauthorized('Basic credentials are required');
      const decoded = Buffer.from(match[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0) throw unauthorized('malformed Basic credentials');
      const credential = await check.verify(decoded.slice(0, colon), decoded.slice(colon + 1));
      if (credential === undefined) throw unauthorized('unknown key or wrong secret');
      if (!check.hasScope(credential, REGISTRY_SCOPES[access])) {
        throw new ForbiddenException(`this credential lacks the scope ${REGISTRY_SCOPES[access]}`);
      }
    },
  };
}

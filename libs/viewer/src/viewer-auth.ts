import { HttpException, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';

/** Checks a Basic user and password: true when that credential may read the dashboards. */
export type ViewerAuthenticate = (user: string, password: string) => Promise<boolean>;

export const VIEWER_AUTHENTICATE = Symbol('VIEWER_AUTHENTICATE');
export const VIEWER_REALM = '九龙坡仪表盘 Jiulongpo dashboards';

interface RequestLike {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}
interface ReplyLike {
  header(name: string, value: string): unknown;
}

/** `user:password` from an `Authorization: Basic …` header, or undefined. */
export function parseBasicAuthorization(
  header: string | undefined,
): { user: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * HTTP Basic on every viewer route: the browser asks once for the user and password (the credential the
 * start banner prints) and sends them with every later request to the same origin.
 */
@Injectable()
export class ViewerAuthGuard implements CanActivate {
  constructor(@Inject(VIEWER_AUTHENTICATE) private readonly authenticate: ViewerAuthenticate) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<RequestLike>();
    const header = request.headers.authorization;
    const basic = parseBasicAuthorization(Array.isArray(header) ? header[0] : header);
    if (basic !== undefined && (await this.authenticate(basic.user, basic.password))) return true;
    http
      .getResponse<ReplyLike>()
      .header('WWW-Authenticate', `Basic realm="${encodeURI(VIEWER_REALM)}", charset="UTF-8"`);
    throw new HttpException(
      { error: 'unauthenticated', message: 'sign in with a credential that may read dashboards' },
      401,
    );
  }
}

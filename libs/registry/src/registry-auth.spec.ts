import { ForbiddenException } from '@nestjs/common';
import { basicRegistryAuth, RegistryUnauthorizedException } from './registry-auth';

const credentials: Record<string, { secret: string; scopes: string[] }> = {
  clerk: { secret: 's3cret:with:colons', scopes: ['registry/write'] },
  admin: { secret: 'admin', scopes: ['all'] },
};
const auth = basicRegistryAuth({
  verify: async (key, secret) => (credentials[key]?.secret === secret ? credentials[key] : undefined),
  hasScope: (credential, scope) => credential.scopes.includes('all') || credential.scopes.includes(scope),
});
const withBasic = (userPass: string) => ({
  headers: { authorization: `Basic ${Buffer.from(userPass).toString('base64')}` },
});

describe('basicRegistryAuth', () => {
  it('lets a credential with registry/write write, and `all` read and write', async () => {
    await expect(auth.authorize(withBasic('clerk:s3cret:with:colons'), 'write')).resolves.toBeUndefined();
    await expect(auth.authorize(withBasic('admin:admin'), 'read')).resolves.toBeUndefined();
    await expect(auth.authorize(withBasic('admin:admin'), 'write')).resolves.toBeUndefined();
  });

  it('answers 401 with a challenge for missing, malformed or wrong credentials', async () => {
    for (const request of [
      { headers: {} },
      { headers: { authorization: 'Bearer abc' } },
      withBasic('no-colon'),
      withBasic('clerk:wrong'),
    ]) {
      const failure = auth.authorize(request, 'read');
      await expect(failure).rejects.toBeInstanceOf(RegistryUnauthorizedException);
      await expect(failure).rejects.toMatchObject({ challenge: 'Basic realm="registry"' });
    }
  });

  it('answers 403 when the credential lacks the scope (reading needs statements/read)', async () => {
    await expect(auth.authorize(withBasic('clerk:s3cret:with:colons'), 'read')).rejects.toBeInstanceOf(
      ForbiddenException,
    );
  });
});

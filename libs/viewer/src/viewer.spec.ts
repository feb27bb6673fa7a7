import { ExecutionContext, HttpException } from '@nestjs/common';

import { parseTime } from '../web/time-range';
import { panelIntervalSeconds, roundIntervalMs } from './grafana-interval';
import { customOptions } from './panel-query.service';
import { ViewerAuthGuard, parseBasicAuthorization } from './viewer-auth';

describe('panel interval (Grafana rounding)', () => {
  it('rounds the range per data point to a readable step', () => {
    expect(roundIntervalMs(1_700_000)).toBe(1_800_000);
    expect(roundIntervalMs(50_000)).toBe(60_000);
    const day = 86_400_000;
    // 30 days over 1,500 px: 1,728 s per point → 30 min, as Grafana shows it.
    expect(panelIntervalSeconds(0, 30 * day, 1500)).toBe(1800);
    expect(panelIntervalSeconds(0, 1000, 5000)).toBe(1);
  });
});

describe('custom variable options', () => {
  it('reads `text : value` pairs and plain values', () => {
    expect(customOptions('东部 · East : east,西部 · West : west')).toEqual([
      { text: '东部 · East', value: 'east' },
      { text: '西部 · West', value: 'west' },
    ]);
    expect(customOptions('a,b\\,c')).toEqual([
      { text: 'a', value: 'a' },
      { text: 'b,c', value: 'b,c' },
    ]);
  });
});

describe('Basic authentication of the viewer', () => {
  it('parses the header, secrets may contain colons', () => {
    const header = `Basic ${Buffer.from('leader:se:cret').toString('base64')}`;
    expect(parseBasicAuthorization(header)).toEqual({ user: 'leader', password: 'se:cret' });
    expect(parseBasicAuthorization('Bearer x')).toBeUndefined();
    expect(parseBasicAuthorization(undefined)).toBeUndefined();
  });

  function context(authorization: string | undefined, headers: Record<string, string>): ExecutionContext {
    const http = {
      getRequest: () => ({ headers: { authorization } }),
      getResponse: () => ({ header: (name: string, value: string) => (headers[name] = value) }),
    };
    return { switchToHttp: () => http } as unknown as ExecutionContext;
  }

  it('lets a credential in that may read dashboards and challenges everyone else', async () => {
    const guard = new ViewerAuthGuard(async (user, password) => user === 'leader' && password === 'ok');
    const headers: Record<string, string> = {};
    const good = `Basic ${Buffer.from('leader:ok').toString('base64')}`;
    await expect(guard.canActivate(context(good, headers))).resolves.toBe(true);
    const bad = `Basic ${Buffer.from('leader:no').toString('base64')}`;
    await expect(guard.canActivate(context(bad, headers))).rejects.toThrow(HttpException);
    expect(headers['WWW-Authenticate']).toMatch(/^Basic realm=".+", charset="UTF-8"$/);
  });
});

describe('relative times of the time picker', () => {
  const now = Date.parse('2026-11-28T23:50:00Z'); // 07:50 on 29 Nov in Chongqing
  it('reads now-30d, now-6h and day rounding in the dashboard time zone', () => {
    expect(parseTime('now', now)).toBe(now);
    expect(parseTime('now-30d', now)).toBe(now - 30 * 86_400_000);
    expect(parseTime('now-6h', now)).toBe(now - 6 * 3_600_000);
    expect(new Date(parseTime('now/d', now)).toISOString()).toBe('2026-11-28T16:00:00.000Z');
    expect(parseTime('1700000000000', now)).toBe(1_700_000_000_000);
    expect(() => parseTime('yesterday', now)).toThrow('unsupported time');
  });
});

import Ajv, { type ValidateFunction } from 'ajv';

import { DASHBOARDS, buildDashboardJson } from './dashboards';
import { GRAFANA_SCHEMA_VERSION, grafanaDashboardJsonSchema } from './testing/grafana-schema';

// Integration: the setup downloads @grafana/schema from the npm registry once (cached under .cache/).
let validate: ValidateFunction;

beforeAll(() => {
  validate = new Ajv({ allErrors: true, strict: true }).compile(grafanaDashboardJsonSchema());
}, 180_000);

const errorsOf = (json: unknown) => (validate(json) ? [] : (validate.errors ?? []));

describe(`Grafana's dashboard schema (@grafana/schema ${GRAFANA_SCHEMA_VERSION})`, () => {
  it.each(Object.keys(DASHBOARDS))('%s validates', (name) => {
    expect(errorsOf(buildDashboardJson(name))).toEqual([]);
  });

  it('refuses what Grafana would not load: a missing schemaVersion, a mistyped member, an unknown one', () => {
    const good = buildDashboardJson('overview');
    const { schemaVersion: _dropped, ...noVersion } = good;
    expect(errorsOf(noVersion)).toContainEqual(
      expect.objectContaining({ keyword: 'required', params: { missingProperty: 'schemaVersion' } }),
    );

    const badPanel = structuredClone(good) as unknown as { panels: { gridPos: { w: unknown } }[] };
    badPanel.panels[0].gridPos.w = 'wide';
    expect(errorsOf(badPanel)).toContainEqual(
      expect.objectContaining({ instancePath: '/panels/0/gridPos/w', keyword: 'type' }),
    );

    const badVariable = structuredClone(good) as unknown as { templating: { list: { refresh: number }[] } };
    badVariable.templating.list[0].refresh = 7;
    expect(errorsOf(badVariable).map((e) => e.instancePath)).toContain('/templating/list/0/refresh');

    expect(errorsOf({ ...good, titel: 'typo' })).toContainEqual(
      expect.objectContaining({ keyword: 'additionalProperties', params: { additionalProperty: 'titel' } }),
    );
  });
});

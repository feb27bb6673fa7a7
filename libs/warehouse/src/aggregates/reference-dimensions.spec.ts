import { loadReferenceDataSync, UnknownReferenceError } from '@app/reference';

import { referenceDimensionRows } from './reference-dimensions';

describe('referenceDimensionRows', () => {
  const reference = loadReferenceDataSync();

  it('maps every town, learning point and skill with the joined names, region and counts', () => {
    const rows = referenceDimensionRows(reference);
    expect(rows.towns).toHaveLength(19);
    expect(rows.learningPoints).toHaveLength(176);
    expect(rows.skills).toHaveLength(5);
    expect(rows.towns.find((town) => town.town_id === 'T05')).toMatchObject({
      name: '白象街镇',
      display_name: '白市驿镇',
      region: 'west',
      population_status: 'illustrative',
    });
    expect(rows.towns.reduce((sum, town) => sum + Number(town.learning_point_count), 0)).toBe(176);
    expect(rows.learningPoints.find((point) => point.learning_point_id === 'LP046')).toMatchObject({
      town_id: 'T05',
      region: 'west',
      school_id: 'S05',
      school_name: reference.schools.find((school) => school.id === 'S05')?.name,
    });
    expect(rows.skills.map((skill) => [skill.skill_id, skill.skill_order, skill.course_name_zh])).toEqual(
      reference.skills.map((skill) => [skill.id, skill.order, '电脑培训']),
    );
  });

  it('refuses a learning point whose school is unknown', () => {
    const broken = {
      ...reference,
      learningPoints: [{ ...reference.learningPoints[0], schoolId: 'S99' }],
    };
    expect(() => referenceDimensionRows(broken)).toThrow(UnknownReferenceError);
  });
});

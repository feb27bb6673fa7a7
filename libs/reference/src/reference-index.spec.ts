import { loadReferenceData } from './load-reference-data';
import { UnknownReferenceError } from './problems';
import { ReferenceIndex } from './reference-index';
import type { ReferenceData } from './types';

const MODULE = 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics/module';
const VERBS = 'http://adlnet.gov/expapi/verbs';

describe('ReferenceIndex', () => {
  let data: ReferenceData;
  let index: ReferenceIndex;
  beforeAll(async () => {
    data = await loadReferenceData();
    index = new ReferenceIndex(data);
  });

  it('resolves every learning point to its school, town and region', () => {
    for (const point of data.learningPoints) {
      const place = index.placeOf(point.id);
      expect(place.point).toBe(point);
      expect(place.school.id).toBe(point.schoolId);
      expect(place.school.townId).toBe(place.town.id);
      expect(place.town.id).toBe(point.townId);
      expect(place.region).toBe(place.town.region);
    }
  });

  it('puts the smart-community pilot 盘龙社区 in 九龙镇, east', () => {
    const panlong = data.learningPoints.find((p) => p.name.startsWith('盘龙社区'));
    const place = index.placeOf(panlong?.id ?? '');
    expect([place.town.name, place.region, place.school.name]).toEqual(['九龙镇', 'east', '九龙镇社区学校']);
  });

  it('returns undefined from find* and throws a typed error from the strict getters for unknown ids', () => {
    expect(index.findPlace('LP999')).toBeUndefined();
    expect(index.findTown('T99')).toBeUndefined();
    expect(() => index.placeOf('LP999')).toThrow(UnknownReferenceError);
    expect(() => index.school('S99')).toThrow('Unknown school id: S99');
  });

  it('lists the points and schools of a town', () => {
    const town = index.town('T12');
    expect(index.learningPointsOfTown(town.id).every((p) => p.townId === 'T12')).toBe(true);
    expect(index.learningPointsOfTown(town.id).length).toBe(
      data.learningPoints.filter((p) => p.townId === 'T12').length,
    );
    expect(index.schoolsOfTown(town.id)).toHaveLength(1);
  });

  it('maps a module IRI and anything below it to the module skill', () => {
    const expected = data.skills.map((skill) => skill.id);
    const found = [1, 2, 3, 4, 5].map((n) => index.skillForActivity(`${MODULE}/${n}`)?.skill.id);
    expect(found).toEqual(expected);
    expect(index.skillForActivity(`${MODULE}/3/lesson/2`)?.skill.nameZh).toBe('中文输入法');
    expect(index.skillForActivity(`${MODULE}/3/lesson/2/quiz?attempt=2#q4`)?.skill.order).toBe(3);
    expect(index.skillForActivity(`${MODULE}/5/`)?.course.id).toBe('computer-basics');
  });

  it('does not map across segment boundaries, other courses or other hosts', () => {
    expect(index.skillForActivity(`${MODULE}/10`)).toBeUndefined();
    expect(index.skillForActivity(`${MODULE}/1x/lesson/1`)).toBeUndefined();
    expect(index.skillForActivity(`${MODULE}`)).toBeUndefined();
    expect(
      index.skillForActivity('https://learn.jlp.cq.cn/xapi/activities/course/cooking/module/1'),
    ).toBeUndefined();
    expect(index.skillForActivity('https://example.org/module/1')).toBeUndefined();
    expect(index.skillForActivity('not an iri')).toBeUndefined();
  });

  it('answers repeated lookups the same way (results are cached)', () => {
    for (let i = 0; i < 3; i++) {
      expect(index.skillForActivity(`${MODULE}/2/lesson/1`)?.skill.id).toBe('computer-operation');
      expect(index.skillForActivity(`${MODULE}/9/lesson/1`)).toBeUndefined();
    }
  });

  it('finds the course of course-level and lesson-level activities', () => {
    expect(
      index.courseForActivity('https://learn.jlp.cq.cn/xapi/activities/course/computer-basics')?.id,
    ).toBe('computer-basics');
    expect(index.courseForActivity(`${MODULE}/2/lesson/7`)?.nameZh).toBe('电脑培训');
    expect(index.courseForActivity('https://learn.jlp.cq.cn/xapi/activities/course/other')).toBeUndefined();
  });

  it('takes further courses and partner IRIs from the data alone', () => {
    const extended = new ReferenceIndex({
      ...data,
      courses: [
        ...data.courses,
        {
          id: 'smartphone',
          nameZh: '智能手机',
          nameEn: 'Smartphones',
          activityIri: 'https://learn.jlp.cq.cn/xapi/activities/course/smartphone',
          note: null,
        },
      ],
      skills: [
        ...data.skills,
        {
          id: 'mobile-payment',
          courseId: 'smartphone',
          order: 1,
          nameZh: '移动支付',
          nameEn: 'Mobile payment',
          activityIri: 'https://learn.jlp.cq.cn/xapi/activities/course/smartphone/module/1',
          alsoIris: ['https://partner.example.cn/courses/pay'],
        },
      ],
    });
    expect(extended.skillForActivity('https://partner.example.cn/courses/pay/unit/3')?.skill.id).toBe(
      'mobile-payment',
    );
    expect(extended.courseForActivity('https://partner.example.cn/courses/pay')?.id).toBe('smartphone');
    expect(extended.skillForActivity(`${MODULE}/4`)?.skill.id).toBe('common-software');
  });

  it('categorises the ADL verbs and treats unlisted verbs as other', () => {
    const categories = ['attended', 'launched', 'experienced', 'completed', 'passed', 'failed', 'answered'];
    expect(categories.map((verb) => index.verbCategory(`${VERBS}/${verb}`))).toEqual(categories);
    expect(index.verbCategory(`${VERBS}/terminated`)).toBe('other');
    expect(index.verbCategory('https://example.org/verbs/liked')).toBe('other');
    expect(index.verbEntry(`${VERBS}/passed`)?.displayZh).toBe('通过');
  });
});

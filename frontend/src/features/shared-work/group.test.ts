import { describe, expect, it } from 'vitest';
import { groupByProject } from './group';
import { sharedTask } from './testing';

describe('groupByProject', () => {
  it('groups by project code, then orders by shot or asset code and name', () => {
    const groups = groupByProject([
      sharedTask({
        id: 'a',
        name: 'Lighting',
        shot: { __typename: 'Shot', id: 's2', code: 'SH020' },
      }),
      sharedTask({
        id: 'b',
        project: { __typename: 'Project', id: 'p0', code: 'ALP', name: 'Alpine' },
        shot: null,
        asset: { __typename: 'Asset', id: 'a1', code: 'CHR_HERO', name: 'Hero' },
      }),
      sharedTask({ id: 'c', name: 'Comp', shot: { __typename: 'Shot', id: 's2', code: 'SH020' } }),
      sharedTask({ id: 'd', name: 'FX', shot: { __typename: 'Shot', id: 's1', code: 'SH010' } }),
      sharedTask({ id: 'e', project: null, shot: null }),
    ]);
    expect(groups.map((g) => g.code)).toEqual(['ALP', 'SKY', null]);
    expect(groups.map((g) => g.tasks.map((task) => task.id))).toEqual([
      ['b'],
      ['d', 'c', 'a'],
      ['e'],
    ]);
  });

  it('gives nothing for no tasks', () => {
    expect(groupByProject([])).toEqual([]);
  });
});

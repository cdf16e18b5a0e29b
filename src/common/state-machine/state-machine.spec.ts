import { StateMachine } from './state-machine';

type Light = 'RED' | 'GREEN' | 'YELLOW' | 'BROKEN';

const light = new StateMachine<Light>('light', {
  RED: ['GREEN', 'BROKEN'],
  GREEN: ['YELLOW', 'BROKEN'],
  YELLOW: ['RED', 'BROKEN'],
  BROKEN: [],
});

describe(StateMachine.name, () => {
  it('allows only the listed moves', () => {
    expect(light.canMove('RED', 'GREEN')).toBe(true);
    expect(light.canMove('RED', 'YELLOW')).toBe(false);
    expect(light.canMove('BROKEN', 'RED')).toBe(false);
  });

  it('treats states with no way out as final', () => {
    expect(light.finalStates).toEqual(['BROKEN']);
    expect(light.isFinal('BROKEN')).toBe(true);
    expect(light.isFinal('RED')).toBe(false);
  });
});

describe(`${StateMachine.name} with a resting state`, () => {
  const door = new StateMachine<'OPENING' | 'OPEN' | 'JAMMED'>('door', { OPENING: ['OPEN', 'JAMMED'], OPEN: ['JAMMED'], JAMMED: [] }, { resting: ['OPEN'] });

  it('counts a resting state as settled but not final, so it can still move', () => {
    expect(door.isFinal('OPEN')).toBe(false);
    expect(door.isSettled('OPEN')).toBe(true);
    expect(door.canMove('OPEN', 'JAMMED')).toBe(true);
    expect(door.isSettled('OPENING')).toBe(false);
    expect(door.settledStates).toEqual(['OPEN', 'JAMMED']);
  });
});

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

import { parseStateChange } from './state-change';

describe(parseStateChange.name, () => {
  it('reads the entity, id and status that applyTransition announces', () => {
    expect(parseStateChange('{"entity":"signing","id":"abc","status":"SIGNED"}')).toEqual({
      entity: 'signing',
      id: 'abc',
      status: 'SIGNED',
    });
  });

  it.each([undefined, '', 'not json', '[]', 'null', '{"entity":"signing","id":"abc"}', '{"entity":1,"id":"abc","status":"SIGNED"}'])(
    'ignores a payload that is not a state change: %p',
    (payload) => {
      expect(parseStateChange(payload)).toBeUndefined();
    },
  );
});

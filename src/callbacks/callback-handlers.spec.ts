import { CallbackHandler, CallbackHandlers } from './callback-handlers';

const handler = (concerns: CallbackHandler['concerns']): CallbackHandler => ({
  concerns,
  handle: () => Promise.resolve({ outcome: 'MISMATCH', detail: concerns }),
});

describe(CallbackHandlers.name, () => {
  const identification = handler('IDENTIFICATION');
  const signing = handler('SIGNING');

  it.each([
    ['IDENTIFICATION', [identification, signing]],
    ['SIGNING', [signing, identification]],
  ] as const)('puts the handler of the flow a webhook names (%s) first, then the others', (concerns, expected) => {
    const handlers = new CallbackHandlers();
    handlers.register(identification);
    handlers.register(signing);
    expect(handlers.inOrderFor(concerns)).toEqual(expected);
  });

  it('keeps the registration order of the handlers it does not put first', () => {
    const handlers = new CallbackHandlers();
    const other = handler('IDENTIFICATION');
    handlers.register(signing);
    handlers.register(identification);
    handlers.register(other);
    expect(handlers.inOrderFor('SIGNING')).toEqual([signing, identification, other]);
  });
});

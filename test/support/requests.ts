/** A mobile identification request that passes every rule: the sandbox's person, EGN and date of birth agreeing. */
export const VALID_MOBILE_REQUEST = {
  docType: 'EGN',
  identifier: '7805166742',
  dateOfBirth: '1978-05-16',
  phoneNumber: '+359888133443',
  email: 'person@example.com',
  reason: 'Opening an account',
} as const;

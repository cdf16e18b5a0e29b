import { isOperatorRoute, isProtectedRoute } from '../common/auth/protected-routes';
import { ApiProblem } from '../common/problem/http-error';
import { bearerToken } from './bearer-auth.guard';

describe(bearerToken.name, () => {
  it('reads the token of a Bearer header, whatever the scheme\'s case', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc.def.ghi')).toBe('abc.def.ghi');
  });

  it('returns undefined when there is no header', () => {
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('refuses another scheme or an empty token with 401', () => {
    for (const header of ['Basic dXNlcjpwdw==', 'Bearer', 'Bearer ', 'abc.def.ghi', 'Bearer a b']) {
      expect(() => bearerToken(header)).toThrow(ApiProblem);
    }
  });
});

describe(isProtectedRoute.name, () => {
  it('protects the frontend API and nothing else', () => {
    expect(isProtectedRoute('/api/v1/mobile-identifications/:id')).toBe(true);
    expect(isProtectedRoute('/api/v1/admin/signings')).toBe(true);
    expect(isProtectedRoute('/api/v1')).toBe(true);
    for (const open of ['/callbacks/btrust/:token', '/health', '/health/ready', '/docs', '/metrics', '/api/v10/x', undefined]) {
      expect(isProtectedRoute(open)).toBe(false);
    }
  });

  it('marks only /api/v1/admin as the operator API', () => {
    expect(isOperatorRoute('/api/v1/admin/web-identifications/:id/refresh')).toBe(true);
    expect(isOperatorRoute('/api/v1/administrators')).toBe(false);
    expect(isOperatorRoute('/api/v1/mobile-identifications')).toBe(false);
  });
});

import { Inject, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { DEVELOPMENT_OWNER } from '../common/auth/current-owner.decorator';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';
import { AccessTokenVerifier } from './access-token-verifier';
import { BearerAuthGuard } from './bearer-auth.guard';

/** Bearer-token authentication of /api/v1 and the operator role on /api/v1/admin (one global guard). */
@Module({
  providers: [
    {
      provide: AccessTokenVerifier,
      inject: [APP_CONFIG],
      useFactory: (config: ResolvedAppConfig) => new AccessTokenVerifier(config.auth),
    },
    BearerAuthGuard,
    { provide: APP_GUARD, useExisting: BearerAuthGuard },
  ],
  // create-app runs the same check as an onRequest hook, before bodies are read.
  exports: [BearerAuthGuard],
})
export class AuthModule implements OnApplicationBootstrap {
  private readonly logger = new Logger('Authentication');

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
    private readonly verifier: AccessTokenVerifier,
  ) {}

  onApplicationBootstrap(): void {
    const { auth } = this.config;
    if (this.verifier.configured) {
      const source = auth.jwksUrl ? `the key set at ${auth.jwksUrl}` : 'the shared secret AUTH_JWT_SECRET';
      this.logger.log(`Bearer tokens on /api/v1 are verified with ${source}; operators need the role "${auth.operatorRole}"`);
      return;
    }
    this.logger.warn(
      '!!! AUTHENTICATION IS OFF: neither AUTH_JWKS_URL nor AUTH_JWT_SECRET is set. Every request without a token ' +
        `acts as the one development user "${DEVELOPMENT_OWNER}", who may also use the operator API. ` +
        'Never expose this server to anyone else. (Production refuses to start like this.) !!!',
    );
  }
}

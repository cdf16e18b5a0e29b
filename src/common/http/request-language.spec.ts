import { preferredProviderLanguage } from './request-language.decorator';

describe(preferredProviderLanguage.name, () => {
  it('picks the highest-ranked of bg and en', () => {
    expect(preferredProviderLanguage('bg-BG,bg;q=0.9,en;q=0.8')).toBe('bg');
    expect(preferredProviderLanguage('de-DE, en;q=0.5, bg;q=0.4')).toBe('en');
    expect(preferredProviderLanguage('bg;q=0.2, en;q=0.9')).toBe('en');
  });

  it('leaves the provider default when neither is acceptable', () => {
    expect(preferredProviderLanguage(undefined)).toBeUndefined();
    expect(preferredProviderLanguage('de, fr;q=0.5')).toBeUndefined();
    expect(preferredProviderLanguage('en;q=0')).toBeUndefined();
  });
});

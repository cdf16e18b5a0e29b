import { toWinAnsiText } from './latin-text';

describe(toWinAnsiText.name, () => {
  it('transliterates Bulgarian by the official system, keeping capitals', () => {
    expect(toWinAnsiText('Жельо Щерев Юриев')).toBe('Zhelyo Shterev Yuriev');
    expect(toWinAnsiText('Ъгъл Цвета Ябълка')).toBe('Agal Tsveta Yabalka');
  });

  it('keeps Latin-1 letters and strips marks that WinAnsi cannot show', () => {
    expect(toWinAnsiText('Zoë Šťastná')).toBe('Zoë Štastná');
  });

  it('replaces anything else with a question mark', () => {
    expect(toWinAnsiText('李 😀')).toBe('? ?');
  });
});

import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { buildProgram, COMMAND_MODULES, MODULES_OF, modulesFor } from '../main.js';

describe('lazy command loading', () => {
  it('--version loads no command module', () => {
    expect(modulesFor(['node', 'qsign', '--version'])).toEqual([]);
  });

  it('a known command loads only its own modules', () => {
    expect(modulesFor(['node', 'qsign', 'sign', 'f'])).toEqual(['sign']);
    expect(modulesFor(['node', 'qsign', 'ceremony', 'split'])).toEqual(['ceremony', 'keys']);
  });

  it('every top-level command is mapped to the modules that register it (else it would be unreachable when named)', async () => {
    const full = await buildProgram(new Command());
    for (const c of full.commands) {
      const mods = MODULES_OF[c.name()];
      expect(mods, `command ${c.name()} is missing from MODULES_OF`).toBeDefined();
      const partial = new Command();
      await buildProgram(partial, ['node', 'qsign', c.name()]);
      const sub = partial.commands.find((x) => x.name() === c.name());
      expect(sub, `${c.name()} not registered by ${mods!.join(', ')}`).toBeDefined();
      expect(sub!.commands.map((x) => x.name()).sort()).toEqual(c.commands.map((x) => x.name()).sort());
    }
    expect(Object.keys(COMMAND_MODULES).length).toBeGreaterThan(0);
  });
});

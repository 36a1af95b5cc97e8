// The operator's technicians tool, run as the operator runs it (a child process) on a
// temporary data folder, with the PIN on standard input as a script gives it, and at a
// terminal (a pseudo-terminal of `script`, where there is one) typed without echo.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TechnicianBook } from '../../../electron/maintenance/technicians.js';
import { KioskStore } from '../../../electron/store/kiosk-store.js';
import { ROOT, runToolScript, toolEnv, type ToolRun } from '../tool-process.js';

const LOCAL_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

type Run = ToolRun;

const cleanEnv = (): NodeJS.ProcessEnv => toolEnv();
const tool = (args: string[], input?: string): Run => runToolScript('technicians.ts', args, { input });

function folder() {
  const data = mkdtempSync(join(tmpdir(), 'technicians-tool-'));
  dirs.push(data);
  const run = (args: string[], input?: string) => tool([...args, '--data', data, '--by', 'cli:ops'], input);
  const ok = (args: string[], input?: string) => {
    const result = run(args, input);
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' });
    return result.stdout;
  };
  return { data, run, ok };
}

function expectError(result: Run, message: string | RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^technicians: [^\n]+\n$/); // one line, no stack trace
  if (typeof message === 'string') expect(result.stderr).toBe(`technicians: ${message}\n`);
  else expect(result.stderr).toMatch(message);
}

async function withStore<T>(data: string, work: (book: TechnicianBook, store: KioskStore) => T | Promise<T>): Promise<T> {
  const store = KioskStore.open(join(data, 'kiosk.sqlite'));
  try {
    return await work(new TechnicianBook(store), store);
  } finally {
    store.close();
  }
}

describe('npm run technicians', { timeout: 60_000 }, () => {
  it('adds the first technician from standard input; the kiosk logs them in with that PIN', async () => {
    const { data, ok } = folder();
    expect(ok(['add', 'Alice'], '482915\n')).toBe('Alice added: the maintenance menu opens with their PIN\n');
    expect(ok(['add', 'Bob Smith'], '730264')).toBe('Bob Smith added\n'); // no line end: the whole input
    await withStore(data, async (book, store) => {
      expect(await book.login('482915', Date.now())).toEqual({ ok: true, name: 'Alice' });
      expect(await book.login('730264', Date.now())).toEqual({ ok: true, name: 'Bob Smith' });
      const audit = store.auditLog(100).filter((e) => e.action.startsWith('technician.'));
      expect(audit.map((e) => [e.actor, e.action, e.data])).toEqual([
        ['cli:ops', 'technician.added', { name: 'Alice' }],
        ['cli:ops', 'technician.added', { name: 'Bob Smith' }],
      ]);
    });
  });

  it('lists the technicians with local times, and as JSON', () => {
    const { ok } = folder();
    expect(ok(['list'])).toBe('no technicians (technicians add NAME adds one)\n');
    expect(ok(['list', '--json'])).toBe('[]\n');
    ok(['add', 'Alice'], '482915\n');
    ok(['add', 'Bob'], '730264\n');
    const lines = ok(['list']).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^name +added +PIN changed$/);
    expect(lines.slice(1).map((line) => line.split(/ {2,}/))).toEqual([
      ['Alice', expect.stringMatching(LOCAL_ISO), expect.stringMatching(LOCAL_ISO)],
      ['Bob', expect.stringMatching(LOCAL_ISO), expect.stringMatching(LOCAL_ISO)],
    ]);
    const listed = JSON.parse(ok(['list', '--json'])) as { name: string; added: string; pinChanged: string }[];
    expect(listed.map((t) => t.name)).toEqual(['Alice', 'Bob']);
    for (const t of listed) {
      expect(t.added).toMatch(LOCAL_ISO);
      expect(Math.abs(Date.parse(t.added) - Date.now())).toBeLessThan(60_000);
    }
  });

  it('changes a PIN and removes a technician', async () => {
    const { data, ok } = folder();
    ok(['add', 'Alice'], '482915\n');
    expect(ok(['passwd', 'alice'], '305718\n')).toBe('PIN of Alice changed\n');
    await withStore(data, async (book) => {
      expect(await book.login('305718', Date.now())).toEqual({ ok: true, name: 'Alice' });
      expect(await book.login('482915', Date.now())).toMatchObject({ ok: false, reason: 'wrongPin' });
    });
    expect(ok(['remove', 'Alice'])).toBe('Alice removed\n');
    expect(ok(['list', '--json'])).toBe('[]\n');
  });

  it('refuses in one line with exit 2: a name taken, a weak PIN, a PIN taken, someone not there', () => {
    const { run, ok } = folder();
    ok(['add', 'Alice'], '482915\n');
    expectError(run(['add', 'Alice'], '730264\n'), 'a technician named Alice exists');
    expectError(run(['add', 'alice'], '730264\n'), 'a technician named Alice exists');
    expectError(run(['add', 'Bob'], '123456\n'), /^technicians: that PIN is too easy to guess: .+\n$/);
    expectError(run(['add', 'Bob'], '111111\n'), /^technicians: that PIN is too easy to guess: .+\n$/);
    expectError(run(['add', 'Bob'], '1234\n'), 'a PIN is 6 to 12 digits');
    expectError(run(['add', 'Bob'], '482915\n'), /another technician has that PIN/);
    expectError(run(['add', 'Bob']), /^technicians: no PIN on standard input/);
    expectError(run(['add', 'Bob'], '\n730264\n'), /^technicians: no PIN on standard input/); // the first line only
    expectError(run(['add', 'Bob<script>'], '730264\n'), /letters, digits, spaces/);
    expectError(run(['passwd', 'Bob'], '730264\n'), 'no technician named Bob');
    expectError(run(['remove', 'Bob']), 'no technician named Bob');
    expect(JSON.parse(ok(['list', '--json'])).map((t: { name: string }) => t.name)).toEqual(['Alice']);
  });

  it('refuses a wrong command line with exit 2', () => {
    const { data, run } = folder();
    expectError(run(['frob']), /^technicians: unknown command "frob": add, passwd, remove, list/);
    expectError(run(['add']), 'add needs NAME (technicians --help)');
    expectError(run(['add', 'Ann', 'Example'], '482915\n'), /unexpected argument "Example" \(a name with spaces is quoted/);
    expectError(run(['add', 'Ann', '--json'], '482915\n'), 'add takes no --json (technicians --help)');
    expectError(run(['list', '--pin', '482915']), /unknown option --pin/);
    expectError(tool(['list', '--data', join(data, 'nope')]), /the data folder .* does not exist/);
    const bare = tool([]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/^usage: technicians/);
    const help = tool(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^usage: technicians COMMAND/);
  });

  it('reads the data folder from KIOSK_DATA_DIR', () => {
    const { data } = folder();
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/technicians.ts', 'add', 'Alice'], {
      cwd: ROOT,
      env: { ...cleanEnv(), KIOSK_DATA_DIR: data },
      encoding: 'utf8',
      input: '482915\n',
    });
    expect(result.status, result.stderr).toBe(0);
    expect(tool(['list', '--json', '--data', data]).stdout).toContain('"name": "Alice"');
  });
});

// ── at a terminal ───────────────────────────────────────────────────────────

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

/**
 * Runs the tool in a pseudo-terminal (util-linux `script`): each answer is typed once its
 * prompt is shown, as a person types it. Returns all the terminal showed and the exit code.
 */
function atTerminal(args: string[], answers: string[]): Promise<{ code: number | null; screen: string }> {
  const command = ['node', '--import', 'tsx', 'scripts/technicians.ts', ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  let pending = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    screen += chunk;
    pending += chunk;
    if (/PIN( again)?: $/.test(pending) && answers.length > 0) {
      pending = '';
      const answer = answers.shift()!;
      setTimeout(() => child.stdin.write(answer), 50); // after the prompt: the terminal is in raw mode by then
    }
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, screen })));
}

describe.skipIf(!hasScript)('npm run technicians at a terminal', { timeout: 60_000 }, () => {
  it('asks for the PIN twice, shows nothing of it, and takes back a key with Backspace', async () => {
    const { data, ok } = folder();
    const { code, screen } = await atTerminal(['add', 'Alice', '--data', data], ['48x\u007f2915\r', '482915\r']);
    expect(screen).toBe('PIN: \r\nPIN again: \r\nAlice added: the maintenance menu opens with their PIN\r\n');
    expect(code).toBe(0);
    expect(ok(['list', '--json'])).toContain('"name": "Alice"');
    await withStore(data, async (book) => expect(await book.login('482915', Date.now())).toEqual({ ok: true, name: 'Alice' }));
  });

  it('refuses two PINs that differ, and a weak one before asking again; Ctrl-C cancels', async () => {
    const { data, ok } = folder();
    const differ = await atTerminal(['add', 'Alice', '--data', data], ['482915\r', '482916\r']);
    expect(differ.code).toBe(2);
    expect(differ.screen).toContain('technicians: the two PINs differ: nothing changed');
    const weak = await atTerminal(['add', 'Alice', '--data', data], ['123456\r']);
    expect(weak.code).toBe(2);
    expect(weak.screen).not.toContain('PIN again');
    expect(weak.screen).toContain('technicians: that PIN is too easy to guess');
    const cancelled = await atTerminal(['add', 'Alice', '--data', data], ['48\u0003']);
    expect(cancelled.code).toBe(130);
    expect(cancelled.screen).toContain('technicians: cancelled, nothing changed');
    expect(ok(['list', '--json'])).toBe('[]\n');
  });
});

// A compose project of infra/docker run with Debian's docker-compose against the engine DOCKER_HOST names
// (scripts/lib/dockerd.sh starts a private one). Every call is bounded in time.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const composeFile = (name: string) => fileURLToPath(new URL(`../../../infra/docker/${name}`, import.meta.url));

/** Why the docker scenarios cannot run here, or undefined when they can (checked, never assumed). */
export function dockerUnavailable(images: readonly string[]): string | undefined {
  const v = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 20_000 });
  if (v.status !== 0) return `no Docker engine answers (${(v.stderr || v.error?.message || '').trim().split('\n')[0]})`;
  const c = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8', timeout: 20_000 });
  if (c.status !== 0) return 'docker-compose is not installed (Debian package docker-compose)';
  for (const i of images) {
    if (spawnSync('docker', ['image', 'inspect', i], { timeout: 20_000 }).status !== 0) {
      return `image ${i} is missing (infra/docker/scripts/build-images.sh)`;
    }
  }
  return undefined;
}

export class ComposeProject {
  constructor(
    readonly project: string,
    readonly file: string,
    readonly env: Record<string, string>,
  ) {}

  run(args: string[], timeoutMs = 240_000, input?: string): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync('docker-compose', ['--ansi', 'never', '-p', this.project, '-f', this.file, ...args], {
      encoding: 'utf8',
      timeout: timeoutMs,
      env: { ...process.env, ...this.env },
      ...(input !== undefined ? { input } : {}),
    });
    return { status: r.status, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
  }

  must(args: string[], timeoutMs?: number): string {
    const r = this.run(args, timeoutMs);
    if (r.status !== 0) throw new Error(`docker-compose ${args.join(' ')} failed: ${r.stderr.slice(-3000)}`);
    return r.stdout;
  }

  /** Container IDs by service, asked once (each docker-compose call costs a second or more here). */
  private readonly ids = new Map<string, string>();

  containerId(service: string): string {
    let id = this.ids.get(service);
    if (!id) {
      id = this.must(['ps', '-q', service]).trim();
      if (!id) throw new Error(`service ${service} has no container`);
      this.ids.set(service, id);
    }
    return id;
  }

  inspect(service: string): any {
    const r = spawnSync('docker', ['inspect', this.containerId(service)], { encoding: 'utf8', timeout: 20_000 });
    if (r.status !== 0) throw new Error(`docker inspect ${service}: ${r.stderr}`);
    return JSON.parse(r.stdout)[0];
  }

  /** The service's address on each compose network, by network name without the project prefix. */
  addresses(service: string): Record<string, string> {
    const nets = this.inspect(service).NetworkSettings.Networks as Record<string, { IPAddress: string }>;
    return Object.fromEntries(
      Object.entries(nets).map(([n, v]) => [n.replace(`${this.project}_`, ''), v.IPAddress] as const),
    );
  }

  logs(service: string): string {
    const r = spawnSync('docker', ['logs', this.containerId(service)], { encoding: 'utf8', timeout: 20_000 });
    return `${r.stdout}${r.stderr}`;
  }

  down(): void {
    this.run(['--profile', 'tools', 'down', '-v', '--remove-orphans', '-t', '3'], 120_000);
  }
}

/** Polls until check() returns a value (not undefined), or throws with what() after the deadline. */
export async function poll<T>(check: () => T | undefined | Promise<T | undefined>, ms: number, what: () => string) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
